// The browser voice page: start (or resume) a live session, take questions by microphone where the
// browser offers SpeechRecognition and by the text box always, run search_knowledge through the tools
// route, then show and speak the answer. No framework, no remote assets.
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("voice-config").textContent);
  const storageKey = "comstack-voice:" + config.projectId;
  const el = (id) => document.getElementById(id);
  const form = el("ask");
  const input = el("question");
  const send = el("send");
  const mic = el("mic");
  const log = el("log");
  const errorBox = el("error");
  const status = el("status");
  const speakAnswers = el("speak-answers");
  const keyRow = el("key-row");
  const keyInput = el("access-key");

  let session = null; // {session_id, token, expires_at, language}

  if (config.askForKey) keyRow.hidden = false;

  // -- messages on the page ------------------------------------------------------------------------

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
  }

  function clearError() {
    errorBox.textContent = "";
    errorBox.hidden = true;
  }

  function setStatus(text) {
    status.textContent = text || "";
  }

  function addTurn(role, text, source) {
    const item = document.createElement("li");
    item.className = "turn " + role;
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = role === "caller" ? "You" : config.projectName;
    const body = document.createElement("p");
    body.className = "text";
    body.textContent = text;
    item.append(who, body);
    if (source && source.url) {
      const link = document.createElement("a");
      link.className = "source";
      link.href = source.url;
      link.textContent = "Source: " + (source.title || source.url);
      item.append(link);
    }
    log.append(item);
    item.scrollIntoView({ block: "nearest" });
    return item;
  }

  function speak(text, language) {
    if (!speakAnswers.checked || !("speechSynthesis" in window) || !text) return;
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = language || (session && session.language) || config.language;
    window.speechSynthesis.cancel();
    window.speechSynthesis.speak(utterance);
  }

  // -- talking to the server -----------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.error) || "The server answered " + status + ".");
      this.status = status;
      this.code = body && body.code;
    }
  }

  async function post(url, body, headers) {
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: Object.assign({ "content-type": "application/json", accept: "application/json" }, headers),
        body: JSON.stringify(body),
        credentials: "same-origin",
      });
    } catch (err) {
      throw new ApiError(0, { error: "Cannot reach the server. Check your connection and try again." });
    }
    let data = null;
    try {
      data = await response.json();
    } catch (err) {
      data = null;
    }
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  function credentials() {
    const headers = Object.assign({ "x-project-id": config.projectId }, config.headers);
    const key = config.askForKey ? keyInput.value.trim() : "";
    if (key) {
      if (key.startsWith("cs_")) headers["x-api-key"] = key;
      else headers.authorization = "Bearer " + key;
    }
    return headers;
  }

  function remember(data) {
    session = {
      session_id: data.session_id,
      token: data.token,
      expires_at: data.expires_at,
      language: data.language || config.language,
    };
    try {
      sessionStorage.setItem(storageKey, JSON.stringify(session));
    } catch (err) {
      // Private browsing may refuse storage; the session still works until the page is closed.
    }
  }

  function forget() {
    session = null;
    try {
      sessionStorage.removeItem(storageKey);
    } catch (err) {
      // nothing stored
    }
  }

  function expired(s) {
    return !s || !s.expires_at || Date.parse(s.expires_at) <= Date.now() + 5000;
  }

  async function startSession() {
    if (config.askForKey && !keyInput.value.trim()) {
      keyInput.focus();
      throw new ApiError(0, { error: "Enter your access key first." });
    }
    setStatus("Starting…");
    const data = await post(config.sessionUrl, { language: config.language }, credentials());
    remember(data);
    if (data.greeting) {
      addTurn("agent", data.greeting);
      speak(data.greeting, data.language);
    }
    return session;
  }

  async function resumeStored() {
    let stored = null;
    try {
      stored = JSON.parse(sessionStorage.getItem(storageKey) || "null");
    } catch (err) {
      stored = null;
    }
    if (expired(stored)) {
      forget();
      return;
    }
    try {
      const data = await post(
        config.resumeUrl,
        { session_id: stored.session_id },
        { authorization: "Bearer " + stored.token },
      );
      remember(Object.assign({ token: stored.token }, data));
      setStatus("Session resumed.");
    } catch (err) {
      forget(); // ended or expired on the server: the next question starts a new one
    }
  }

  async function ensureSession() {
    if (session && !expired(session)) return session;
    forget();
    return startSession();
  }

  async function runTool(name, args) {
    const current = await ensureSession();
    const body = { session_id: current.session_id, name: name, arguments: args };
    try {
      return await post(config.executeUrl, body, { authorization: "Bearer " + current.token });
    } catch (err) {
      if (err.status !== 401) throw err;
      // The token expired or was refused: one new session, one retry.
      forget();
      const fresh = await startSession();
      body.session_id = fresh.session_id;
      return post(config.executeUrl, body, { authorization: "Bearer " + fresh.token });
    }
  }

  async function ask(question) {
    clearError();
    send.disabled = true;
    let asked = false;
    try {
      await ensureSession(); // the greeting comes before the first question
      addTurn("caller", question);
      asked = true;
      setStatus("Looking it up…");
      const data = await runTool("search_knowledge", { query: question });
      const result = (data && data.result) || {};
      addTurn("agent", result.speech || "", result.source);
      speak(result.speech, result.language);
      setStatus(result.found ? "" : "No answer in the knowledge base.");
    } catch (err) {
      showError(err.message + (err.code ? " (" + err.code + ")" : ""));
      setStatus("");
      if (!asked && !input.value) input.value = question; // nothing was asked: keep the question
    } finally {
      send.disabled = false;
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const question = input.value.trim();
    if (!question) return;
    input.value = "";
    ask(question);
  });

  // -- the microphone, where the browser has speech recognition -----------------------------------

  const Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
  if (Recognition) {
    mic.hidden = false;
    let listening = null;
    mic.addEventListener("click", () => {
      if (listening) {
        listening.stop();
        return;
      }
      clearError();
      const recognition = new Recognition();
      recognition.lang = (session && session.language) || config.language;
      recognition.interimResults = false;
      recognition.maxAlternatives = 1;
      recognition.onresult = (event) => {
        const heard = event.results[0][0].transcript.trim();
        if (heard) ask(heard);
      };
      recognition.onerror = (event) => {
        if (event.error === "not-allowed" || event.error === "service-not-allowed") {
          showError("The microphone is blocked. Allow it in the browser, or type your question.");
        } else if (event.error !== "no-speech" && event.error !== "aborted") {
          showError("Speech recognition failed (" + event.error + "). Type your question instead.");
        }
      };
      recognition.onend = () => {
        listening = null;
        mic.setAttribute("aria-pressed", "false");
        mic.textContent = "Speak";
        setStatus("");
      };
      listening = recognition;
      mic.setAttribute("aria-pressed", "true");
      mic.textContent = "Stop";
      setStatus("Listening…");
      recognition.start();
    });
  }

  resumeStored();
})();
