// The capture flow: read the current tab's DOM, then capture -> extract -> (edit) -> save on the server.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { settings: null, tab: null, captureId: null, proposed: null };

// Images are read inside the captured page (with its cookies and origin) and their bytes sent to the
// server, which never fetches a URL itself. At most this many, each at most IMAGE_MAX_BYTES.
const IMAGE_LIMIT = 20;
const IMAGE_MAX_BYTES = 10 * 1024 * 1024;

function show(id, visible = true) {
  $(id).hidden = !visible;
}

function progress(text) {
  $("progress").textContent = text;
}

function fail(error) {
  progress("");
  $("error").textContent = error.code ? `${error.message} (${error.code})` : error.message;
  show("error");
}

// Runs inside the tab (chrome.scripting): the DOM as the user sees it, after scripts have drawn it.
function readPage() {
  return { html: document.documentElement.outerHTML, url: location.href, title: document.title };
}

async function captureTab(tabId) {
  const [injection] = await chrome.scripting.executeScript({ target: { tabId }, func: readPage });
  if (!injection || !injection.result) {
    throw new Error("This page cannot be read (browser pages and the extension store are off limits).");
  }
  return injection.result;
}

function fill(proposed, capture) {
  $("title").value = proposed.title;
  $("slug").value = proposed.slug;
  $("description").value = proposed.description;
  $("language").value = proposed.language || "";
  $("content").value = proposed.content;
  $("template").textContent = proposed.doc_template_id;
  $("template-reason").textContent = proposed.suggested_template ? `(${proposed.suggested_template.reason})` : "";
  if (capture.already_imported) {
    $("already").textContent = capture.page
      ? `Already imported as ${capture.page.slug}: saving with that slug updates its draft; another slug makes a new page.`
      : "Captured before: this capture was updated.";
    show("already");
  }
  $("images").replaceChildren(
    ...proposed.images.map((image) => {
      const item = document.createElement("li");
      item.textContent = `${image.alt || "(no alt text)"} — ${image.url}`;
      return item;
    }),
  );
  $("images-summary").textContent = `Images found: ${proposed.images.length}`;
  show("images-box", proposed.images.length > 0);
  $("notes").replaceChildren(
    ...proposed.notes.map((note) => {
      const item = document.createElement("li");
      item.textContent = note;
      return item;
    }),
  );
  show("draft");
}

function editedDraft() {
  const proposed = state.proposed;
  return {
    title: $("title").value.trim(),
    description: $("description").value.trim(),
    slug: $("slug").value.trim(),
    language: $("language").value.trim() || null,
    content: $("content").value,
    doc_template_id: proposed.doc_template_id,
    fields: proposed.fields,
  };
}

// Runs inside the tab: each image's bytes, base64-encoded (what executeScript can hand back).
async function readImages(urls, maxBytes) {
  const out = [];
  for (const url of urls) {
    try {
      const response = await fetch(url);
      const blob = response.ok ? await response.blob() : null;
      if (blob && blob.size <= maxBytes) {
        const data = await new Promise((resolve, reject) => {
          const reader = new FileReader();
          reader.onload = () => resolve(String(reader.result).split(",", 2)[1] || "");
          reader.onerror = () => reject(reader.error);
          reader.readAsDataURL(blob);
        });
        out.push({ url, data });
      }
    } catch (error) {
      // An image of another site that does not allow it stays a link to that site.
    }
  }
  return out;
}

function fromBase64(data) {
  const text = atob(data);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i += 1) {
    bytes[i] = text.charCodeAt(i);
  }
  return bytes;
}

// Stores the draft's images in ComStack and returns the body naming them (image:img_...) instead of
// their addresses on the source site. Images that cannot be read or stored keep their address.
async function importImages(settings, tabId, captureId, images, content) {
  const wanted = images.filter((image) => content.includes(`](${image.url}`)).slice(0, IMAGE_LIMIT);
  if (!$("import-images").checked || wanted.length === 0) {
    return content;
  }
  progress(`Storing ${wanted.length} image(s)…`);
  const [injection] = await chrome.scripting.executeScript({
    target: { tabId },
    args: [wanted.map((image) => image.url), IMAGE_MAX_BYTES],
    func: readImages,
  });
  const alts = new Map(wanted.map((image) => [image.url, image.alt]));
  for (const image of (injection && injection.result) || []) {
    try {
      const stored = await callIngest(settings, `captures/${encodeURIComponent(captureId)}/images`, fromBase64(image.data), {
        query: { source_url: image.url, ...(alts.get(image.url) ? { alt: alts.get(image.url) } : {}) },
      });
      content = content.split(`](${image.url}`).join(`](${stored.image.reference}`);
    } catch (error) {
      // Not an image ComStack accepts (or over its quota): the draft keeps the address.
    }
  }
  return content;
}

async function onCapture() {
  show("error", false);
  $("capture").disabled = true;
  try {
    progress("Reading the page…");
    const page = await captureTab(state.tab.id);
    progress("Sending it to ComStack…");
    const capture = await callIngest(state.settings, "capture", page);
    state.captureId = capture.capture_id;
    progress("Extracting the main content…");
    const instructions = $("instructions").value.trim();
    state.proposed = await callIngest(state.settings, "extract", {
      capture_id: state.captureId,
      ...(instructions ? { instructions } : {}),
    });
    progress("");
    show("start", false);
    fill(state.proposed, capture);
  } catch (error) {
    fail(error);
  } finally {
    $("capture").disabled = false;
  }
}

async function onSave(event) {
  event.preventDefault();
  show("error", false);
  $("save").disabled = true;
  try {
    const draft = editedDraft();
    draft.content = await importImages(state.settings, state.tab.id, state.captureId, state.proposed.images, draft.content);
    progress("Saving the draft…");
    const saved = await callIngest(state.settings, "save", { capture_id: state.captureId, draft });
    progress("");
    show("draft", false);
    $("draft-link").href = saved.draft_url;
    $("draft-link").textContent = `${saved.page.slug} (${saved.page.language})`;
    const missing = saved.missing_required || [];
    $("done-detail").textContent = missing.length
      ? `Fill ${missing.join(", ")} before approving it.`
      : "Review and approve it in ComStack when it is ready.";
    show("done");
  } catch (error) {
    fail(error);
  } finally {
    $("save").disabled = false;
  }
}

async function main() {
  state.settings = await loadSettings();
  $("open-options").addEventListener("click", () => chrome.runtime.openOptionsPage());
  if (!settingsComplete(state.settings)) {
    show("setup");
    return;
  }
  // popup.html?tab=ID captures that tab: for opening the popup in a tab of its own (and for tests).
  const tabParam = new URLSearchParams(location.search).get("tab");
  [state.tab] = tabParam
    ? [await chrome.tabs.get(Number(tabParam))]
    : await chrome.tabs.query({ active: true, currentWindow: true });
  $("tab-title").textContent = state.tab ? state.tab.title || state.tab.url || "" : "";
  $("capture").addEventListener("click", onCapture);
  $("draft").addEventListener("submit", onSave);
  show("start");
}

main().catch(fail);
