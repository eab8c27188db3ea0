"use strict";

const form = document.getElementById("settings");
const status = document.getElementById("status");

// The fields wait for the stored settings: filled in later, they would overwrite what was typed meanwhile.
for (const name of SETTINGS_KEYS) {
  form.elements[name].disabled = true;
}
loadSettings().then((settings) => {
  for (const name of SETTINGS_KEYS) {
    form.elements[name].value = settings[name];
    form.elements[name].disabled = false;
  }
});

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const server = form.elements.server.value.trim().replace(/\/+$/, "");
  if (!/^https?:\/\//.test(server)) {
    status.className = "error";
    status.textContent = "The server URL must start with http:// or https://.";
    return;
  }
  await chrome.storage.local.set({
    server,
    project: form.elements.project.value.trim(),
    key: form.elements.key.value.trim(),
  });
  status.className = "ok";
  status.textContent = "Saved.";
});
