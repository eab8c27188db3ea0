"""The browser extension in examples/chrome-extension: a Manifest V3 package with no remote code, whose
pages run in headless Chromium. The popup reads a real tab and sends what the ingest routes expect. Until
those routes exist, a local recorder answers in their place: it refuses, or it answers with the core's
own functions (prepare_capture, extract_page) in the shapes the routes will use. The run against a real
server comes with the routes."""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright import sync_api

from comstack_core.ingest import CaptureRequest, IngestedDraft, extract_page, prepare_capture

EXTENSION = Path(__file__).resolve().parents[3] / "examples" / "chrome-extension"
ARTICLE = (
    "<!doctype html><html lang='en'><head><title>Reset your password | Help</title></head><body>"
    "<nav><a href='/'>Help home</a> <a href='/status'>Service status</a></nav>"
    "<main><h1>Reset your password</h1><p>Choose Forgot password on the sign-in page, and we send a link "
    "that works for one hour.</p><p id='late'></p><p>See <a href='../account/security'>account security</a>."
    "</p></main><script>document.getElementById('late').textContent = 'Drawn by a script.'</script>"
    "</body></html>"
)


def test_manifest_v3_with_no_remote_code() -> None:
    manifest = json.loads((EXTENSION / "manifest.json").read_text())
    assert manifest["manifest_version"] == 3
    assert sorted(manifest["permissions"]) == ["activeTab", "scripting", "storage"]
    assert "host_permissions" not in manifest and "background" not in manifest
    assert manifest["content_security_policy"]["extension_pages"].startswith("script-src 'self';")
    for page in ("popup.html", "options.html"):
        html = (EXTENSION / page).read_text()
        scripts = re.findall(r"<script([^>]*)>", html)
        assert scripts and all(re.fullmatch(r' src="[a-z]+\.js"', attrs) for attrs in scripts), page
        for attrs in scripts:
            assert (EXTENSION / re.search(r'src="([^"]+)"', attrs).group(1)).is_file()  # type: ignore[union-attr]
    for script in EXTENSION.glob("*.js"):
        code = script.read_text()
        assert not re.search(r"\beval\(|new Function\(|importScripts\(", code), script.name
    assert (EXTENSION / "README.md").is_file()


class Recorder:
    """Keeps what the extension sent; refuses like a project with the module off, or, with ``accept``,
    answers capture, extract and save through the core's functions."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.accept = False
        self.captured: dict[str, Any] = {}
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # the page the user is reading
                body = ARTICLE.encode()
                self.send_response(200)
                self.send_header("content-type", "text/html; charset=utf-8")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_OPTIONS(self) -> None:  # the CORS preflight the integration answers for extension origins
                self.send_response(204)
                self.send_header("access-control-allow-origin", self.headers.get("origin", "*"))
                self.send_header("access-control-allow-methods", "POST")
                self.send_header("access-control-allow-headers", "content-type, x-api-key, x-project-id")
                self.end_headers()

            def do_POST(self) -> None:
                data = json.loads(self.rfile.read(int(self.headers["content-length"])))
                recorder.requests.append(
                    {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "json": data}
                )
                status, answer = 403, {"error": "Ingestion is switched off for this project.", "code": "module_disabled"}
                if recorder.accept:
                    status, answer = 200, recorder.answer(self.path.rsplit("/", 1)[1], data)
                body = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("access-control-allow-origin", self.headers.get("origin", "*"))
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = ""

    def answer(self, step: str, data: dict[str, Any]) -> dict[str, Any]:
        if step == "capture":
            prepared = prepare_capture(CaptureRequest(**data))
            self.captured = {"url": prepared.url, "html": prepared.html, "title": prepared.title}
            return {"capture_id": "cap_1", "normalized_url": prepared.normalized_url, "already_imported": False, "page": None}
        if step == "extract":
            draft = extract_page(self.captured["url"], self.captured["html"], self.captured["title"], locales=["en"])
            return draft.model_copy(update={"capture_id": data["capture_id"]}).model_dump(mode="json")
        saved = IngestedDraft(**data["draft"])
        return {
            "capture_id": data["capture_id"],
            "page": {"path": "pg_1", "slug": saved.slug, "language": saved.language, "title": saved.title, "status": "draft"},
            "draft_url": f"{self.base}/api/projects/proj_1/docs/pg_1/preview",
            "missing_required": [],
        }

    def start(self) -> None:
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    running = Recorder()
    running.start()
    yield running
    running.server.shutdown()
    running.server.server_close()


@pytest.fixture
def extension(tmp_path: Path) -> Iterator[tuple[sync_api.BrowserContext, str]]:
    # A copy allowed on the loopback host: opened from a test, the popup has no activeTab grant (only a
    # click on the toolbar button gives one, and a test cannot click the toolbar).
    copy = tmp_path / "extension"
    shutil.copytree(EXTENSION, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["host_permissions"] = ["http://127.0.0.1/*"]
    (copy / "manifest.json").write_text(json.dumps(manifest))
    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        pytest.skip("no Chromium available for Playwright")
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=chromium,
            headless=False,  # extensions need the new headless mode, asked for in the arguments
            args=["--headless=new", f"--disable-extensions-except={copy}", f"--load-extension={copy}"],
        )
        try:
            page = context.new_page()
            page.goto("chrome://extensions")
            extension_id = page.evaluate(
                "() => new Promise(r => chrome.developerPrivate.getExtensionsInfo("
                "list => r(list.find(e => e.name === 'ComStack page capture').id)))"
            )
            page.close()
            yield context, extension_id
        finally:
            context.close()


def test_settings_popup_and_capture_request(
    extension: tuple[sync_api.BrowserContext, str], recorder: Recorder
) -> None:
    context, extension_id = extension
    errors: list[str] = []
    options = context.new_page()
    options.on("pageerror", lambda error: errors.append(str(error)))
    options.goto(f"chrome-extension://{extension_id}/options.html")
    options.fill("#server", "ftp://example.com")
    options.fill("#project", "proj_1")
    options.fill("#key", "cs_secret")
    options.click("button[type=submit]")
    assert "must start with http" in (options.text_content("#status") or "")

    popup = context.new_page()
    popup.on("pageerror", lambda error: errors.append(str(error)))
    popup.goto(f"chrome-extension://{extension_id}/popup.html")
    assert popup.is_visible("#setup") and popup.is_hidden("#start")  # nothing saved yet

    options.fill("#server", recorder.base + "/")
    options.click("button[type=submit]")
    options.wait_for_selector("#status.ok")
    options.reload()
    assert options.input_value("#server") == recorder.base  # stored, without the trailing slash

    reading = context.new_page()
    reading.goto(recorder.base + "/help/reset?utm_source=mail")
    tab_id = popup.evaluate("() => chrome.tabs.query({}).then(tabs => tabs.find(t => (t.url || '').includes('/help/reset')).id)")
    popup.goto(f"chrome-extension://{extension_id}/popup.html?tab={tab_id}")
    popup.click("#capture")
    popup.wait_for_selector("#error:not([hidden])")
    assert popup.text_content("#error") == "Ingestion is switched off for this project. (module_disabled)"
    assert popup.is_hidden("#draft")

    [request] = recorder.requests
    assert request["path"] == "/api/projects/proj_1/ingest/capture"
    assert (request["headers"]["x-api-key"], request["headers"]["x-project-id"]) == ("cs_secret", "proj_1")
    assert request["headers"]["origin"] == f"chrome-extension://{extension_id}"
    sent = request["json"]
    assert set(sent) == {"url", "html", "title"}
    assert (sent["url"], sent["title"]) == (recorder.base + "/help/reset?utm_source=mail", "Reset your password | Help")
    assert "<h1>Reset your password</h1>" in sent["html"] and "Drawn by a script." in sent["html"]
    assert errors == []


def test_capture_edit_and_save(extension: tuple[sync_api.BrowserContext, str], recorder: Recorder) -> None:
    context, extension_id = extension
    recorder.accept = True
    errors: list[str] = []
    popup = context.new_page()
    popup.on("pageerror", lambda error: errors.append(str(error)))
    popup.goto(f"chrome-extension://{extension_id}/options.html")
    popup.fill("#server", recorder.base)
    popup.fill("#project", "proj_1")
    popup.fill("#key", "cs_secret")
    popup.click("button[type=submit]")
    popup.wait_for_selector("#status.ok")
    reading = context.new_page()
    reading.goto(recorder.base + "/help/reset")
    tab_id = popup.evaluate("() => chrome.tabs.query({}).then(tabs => tabs.find(t => (t.url || '').includes('/help/reset')).id)")
    popup.goto(f"chrome-extension://{extension_id}/popup.html?tab={tab_id}")
    popup.fill("#instructions", "Keep the steps only.")
    popup.click("#capture")
    popup.wait_for_selector("#draft:not([hidden])")
    # The proposed draft, as extracted from the tab, ready to edit.
    assert popup.input_value("#title") == "Reset your password"
    assert popup.input_value("#slug") == "help/reset"
    assert popup.input_value("#language") == "en"
    body = popup.input_value("#content")
    assert "Drawn by a script." in body and f"({recorder.base}/account/security)" in body
    assert "Service status" not in body
    assert popup.text_content("#template") == "docs"
    popup.fill("#title", "Resetting a password")
    popup.fill("#slug", "guides/reset-password")
    popup.click("#save")
    popup.wait_for_selector("#done:not([hidden])")
    link = popup.locator("#draft-link")
    assert link.text_content() == "guides/reset-password (en)"
    assert link.get_attribute("href") == f"{recorder.base}/api/projects/proj_1/docs/pg_1/preview"

    capture, extract, save = recorder.requests
    assert [r["path"].rsplit("/", 1)[1] for r in recorder.requests] == ["capture", "extract", "save"]
    assert capture["json"]["url"] == recorder.base + "/help/reset"
    assert extract["json"] == {"capture_id": "cap_1", "instructions": "Keep the steps only."}
    assert save["json"]["capture_id"] == "cap_1"
    draft = IngestedDraft(**save["json"]["draft"])  # exactly the save route's draft model
    assert (draft.title, draft.slug, draft.language, draft.doc_template_id) == (
        "Resetting a password", "guides/reset-password", "en", "docs")
    assert draft.content == body
    assert errors == []
