// Shared by the popup and the options page: settings in chrome.storage and calls to the server.
"use strict";

const SETTINGS_KEYS = ["server", "project", "key"];

async function loadSettings() {
  const stored = await chrome.storage.local.get(SETTINGS_KEYS);
  return {
    server: (stored.server || "").replace(/\/+$/, ""),
    project: stored.project || "",
    key: stored.key || "",
  };
}

function settingsComplete(settings) {
  return SETTINGS_KEYS.every((name) => settings[name]);
}

// {method} {server}/api/projects/{project}/ingest/{path} with the key and project headers; `body` is sent
// as JSON, or as it is when it is binary (an image's bytes). Resolves to the JSON answer; rejects with an
// Error whose message is the server's {"error"} text (and .code its code).
async function callIngest(settings, path, body, { method = "POST", query = null } = {}) {
  const search = query ? `?${new URLSearchParams(query)}` : "";
  const url = `${settings.server}/api/projects/${encodeURIComponent(settings.project)}/ingest/${path}${search}`;
  const binary = body instanceof Uint8Array || body instanceof Blob;
  const headers = { "x-api-key": settings.key, "x-project-id": settings.project };
  if (body !== undefined && !binary) {
    headers["content-type"] = "application/json";
  }
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : binary ? body : JSON.stringify(body),
    });
  } catch (error) {
    throw new Error(`Could not reach ${settings.server} (${error.message}). Check the server URL in the settings.`);
  }
  let answer = null;
  try {
    answer = await response.json();
  } catch (error) {
    answer = null;
  }
  if (!response.ok) {
    const failure = new Error((answer && answer.error) || `The server answered ${response.status}.`);
    failure.code = answer && answer.code;
    failure.status = response.status;
    throw failure;
  }
  return answer;
}
