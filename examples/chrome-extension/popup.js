// The capture flow: read the current tab's DOM, then capture -> extract -> (edit) -> save on the server.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { settings: null, tab: null, captureId: null, proposed: null };

// Hook for images (SPEC §13): once the server stores images, the extension sends their bytes, read
// inside the captured page, so that the server never fetches a URL. Off until that route exists.
const IMAGE_UPLOAD = { enabled: false, path: "images" };

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
      ? `Already imported as ${capture.page.slug}: saving creates another draft.`
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

async function sendImages(settings, tabId, captureId, images) {
  if (!IMAGE_UPLOAD.enabled || images.length === 0) {
    return [];
  }
  // Read each image's bytes in the page (its cookies and origin), then upload them with the capture id.
  const [injection] = await chrome.scripting.executeScript({
    target: { tabId },
    args: [images.map((image) => image.url)],
    func: async (urls) => {
      const out = [];
      for (const url of urls) {
        try {
          const response = await fetch(url);
          if (response.ok) {
            out.push({ url, type: response.headers.get("content-type"), bytes: Array.from(new Uint8Array(await response.arrayBuffer())) });
          }
        } catch (error) {
          // Cross-origin images without CORS stay where they are.
        }
      }
      return out;
    },
  });
  const uploaded = [];
  for (const image of injection.result || []) {
    const form = new FormData();
    form.append("capture_id", captureId);
    form.append("source_url", image.url);
    form.append("file", new Blob([new Uint8Array(image.bytes)], { type: image.type || "application/octet-stream" }));
    const response = await fetch(`${settings.server}/api/projects/${encodeURIComponent(settings.project)}/${IMAGE_UPLOAD.path}`, {
      method: "POST",
      headers: { "x-api-key": settings.key, "x-project-id": settings.project },
      body: form,
    });
    if (response.ok) {
      uploaded.push(await response.json());
    }
  }
  return uploaded;
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
    progress("Saving the draft…");
    const saved = await callIngest(state.settings, "save", { capture_id: state.captureId, draft: editedDraft() });
    await sendImages(state.settings, state.tab.id, state.captureId, state.proposed.images);
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
