"""The browser extension in examples/chrome-extension, loaded unpacked into headless Chromium, against a
real ComStack server (uvicorn on loopback): a Manifest V3 package with no remote code whose popup reads a
real tab, captures it, shows the proposed draft for editing, stores the page's images and saves the
draft, which is then found through the REST API. The server answers the extension's CORS preflights;
nothing else lets the extension's pages reach it (the manifest asks for no host access to the server)."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright import sync_api
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from comstack_core import Core, Settings
from comstack_core.schemas import KeyCreate, ModuleUpdate, ProjectCreate
from comstack_http.app import create_app

from ..conftest import ARTIFACTS, IN_CI, make_user, run_blocking
from ..core.images.factory import encode, picture
from ..lifespan import serve

EXTENSION = Path(__file__).resolve().parents[2] / "examples" / "chrome-extension"
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ARTIFACTS / "chrome-extension"
DIAGRAM = encode(picture(48, 32), "PNG")
ARTICLE = (
    "<!doctype html><html lang='en'><head><title>Reset your password | Help</title></head><body>"
    "<nav><a href='/'>Help home</a> <a href='/status'>Service status</a></nav>"
    "<div class='cookie-banner'><p>We use cookies to improve your experience.</p><button>Accept</button></div>"
    "<main><h1>Reset your password</h1><p>Choose Forgot password on the sign-in page, and we send a link "
    "that works for one hour.</p><p><img src='img/reset-form.png' alt='The reset form'></p><p id='late'></p>"
    "<p>See <a href='../account/security'>account security</a>.</p></main>"
    "<footer><p>© 2026 Example Ltd. All rights reserved.</p></footer>"
    "<script>document.getElementById('late').textContent = 'Type the new password twice; it must have "
    "twelve characters or more.'</script></body></html>"
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


@dataclass
class Server:
    base: str
    project_id: str
    key: str
    other_key: str  # an editor key of a project without the chrome_ingest module

    def get(self, path: str, key: str | None = None) -> Any:
        headers = {"x-api-key": key or self.key, "x-project-id": self.project_id}
        answer = httpx.get(f"{self.base}/api/projects/{self.project_id}{path}", headers=headers, timeout=30)
        assert answer.status_code == 200, answer.text
        return answer.json()


@pytest.fixture
def server(tmp_path: Path, sqlite_template: Path) -> Iterator[Server]:
    shutil.copy(sqlite_template, tmp_path / "comstack.db")
    settings = Settings(
        data_dir=tmp_path, database_url=f"sqlite+aiosqlite:///{tmp_path / 'comstack.db'}", public_url="http://127.0.0.1"
    )

    async def seed() -> tuple[str, str, str]:
        async with Core.open(settings) as core:
            manager = await make_user(core, "manager@example.com")
            project = await core.projects.create_project(manager, ProjectCreate(name="Help Center"))
            await core.modules.configure_module(manager, project.id, "chrome_ingest", ModuleUpdate(enabled=True))
            key = await core.keys.create_key(manager, project.id, KeyCreate(name="extension", role="editor"))
            off = await core.projects.create_project(manager, ProjectCreate(name="Module Off"))
            other = await core.keys.create_key(manager, off.id, KeyCreate(name="extension", role="editor"))
            return project.id, key.key, f"{off.id} {other.key}"

    project_id, key, other = run_blocking(seed())
    with serve(create_app(settings)) as base:
        yield Server(base, project_id, key, other)


@pytest.fixture
def reading_site() -> Iterator[str]:
    """The site the user is reading: an article drawn partly by a script, with a same-origin image."""

    async def article(request: Request) -> HTMLResponse:
        return HTMLResponse(ARTICLE)

    async def image(request: Request) -> Response:
        return Response(DIAGRAM, media_type="image/png")

    app = Starlette(routes=[Route("/help/reset", article), Route("/help/img/reset-form.png", image)])
    with serve(app) as base:
        yield base


@pytest.fixture
def extension(tmp_path: Path) -> Iterator[tuple[sync_api.BrowserContext, str]]:
    # A copy allowed on the reading site's host: opened from a test, the popup has no activeTab grant (only
    # a click on the toolbar button gives one, and a test cannot click the toolbar). The server is reached
    # through its CORS answers alone (both listen on 127.0.0.1, so the grant covers it too; the CORS test in
    # tests/http checks the headers that a real install depends on).
    copy = tmp_path / "extension"
    shutil.copytree(EXTENSION, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["host_permissions"] = ["http://127.0.0.1/*"]
    (copy / "manifest.json").write_text(json.dumps(manifest))
    if not CHROMIUM.exists():
        if IN_CI:
            pytest.fail("Chromium is missing at /usr/bin/chromium; CI must `apt-get install -y chromium`")
        pytest.skip("no /usr/bin/chromium")
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
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


def configure(context: sync_api.BrowserContext, extension_id: str, server: str, project: str, key: str) -> None:
    options = context.new_page()
    options.goto(f"chrome-extension://{extension_id}/options.html")
    options.fill("#server", server + "/")
    options.fill("#project", project)
    options.fill("#key", key)
    options.click("button[type=submit]")
    options.wait_for_selector("#status.ok")
    options.close()


def open_popup(context: sync_api.BrowserContext, extension_id: str, page_url: str) -> sync_api.Page:
    reading = context.new_page()
    reading.goto(page_url)
    popup = context.new_page()
    popup.goto(f"chrome-extension://{extension_id}/popup.html")
    tab_id = popup.evaluate(
        "(url) => chrome.tabs.query({}).then(tabs => tabs.find(t => t.url === url).id)", page_url
    )
    popup.goto(f"chrome-extension://{extension_id}/popup.html?tab={tab_id}")
    return popup


def test_capture_edit_and_save_against_the_server(
    extension: tuple[sync_api.BrowserContext, str], server: Server, reading_site: str
) -> None:
    context, extension_id = extension
    errors: list[str] = []
    configure(context, extension_id, server.base, server.project_id, server.key)
    popup = open_popup(context, extension_id, reading_site + "/help/reset?utm_source=mail")
    popup.on("pageerror", lambda error: errors.append(str(error)))
    popup.fill("#instructions", "Keep the steps only.")
    popup.click("#capture")
    popup.wait_for_selector("#draft:not([hidden])")
    # The proposed draft, extracted by the server from the tab's DOM, ready to edit.
    assert popup.input_value("#title") == "Reset your password"
    assert popup.input_value("#slug") == "help/reset"
    assert popup.input_value("#language") == "en"
    body = popup.input_value("#content")
    assert "Type the new password twice" in body and f"({reading_site}/account/security)" in body
    assert f"({reading_site}/help/img/reset-form.png)" in body
    assert "Service status" not in body and "cookies" not in body and "All rights reserved" not in body
    assert popup.text_content("#template") == "docs"
    assert popup.text_content("#images-summary") == "Images found: 1"
    popup.fill("#title", "Resetting a password")
    popup.fill("#slug", "guides/reset-password")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    popup.screenshot(path=str(SCREENSHOTS / "proposed-draft.png"), full_page=True)
    popup.click("#save")
    popup.wait_for_selector("#done:not([hidden])")
    link = popup.locator("#draft-link")
    assert link.text_content() == "guides/reset-password (en)"
    assert errors == []

    # The draft, found through the REST API: the edited title, the page's text, its image stored here.
    [draft] = server.get("/ingest/drafts")["drafts"]
    assert draft["source_url"] == reading_site + "/help/reset?utm_source=mail"
    assert (draft["page"]["title"], draft["page"]["slug"], draft["page"]["status"]) == (
        "Resetting a password", "guides/reset-password", "draft")
    assert link.get_attribute("href") == (
        f"http://127.0.0.1/api/projects/{server.project_id}/docs/{draft['page']['path']}/preview")
    page = server.get(f"/docs/{draft['page']['path']}")
    assert page["title"] == "Resetting a password"
    assert "we send a link that works for one hour" in page["content"]
    assert "Type the new password twice; it must have twelve characters or more." in page["content"]
    assert "Service status" not in page["content"] and "cookies" not in page["content"]
    [image] = page["images"]
    assert f"![The reset form](image:{image['id']})" in page["content"]
    assert "reset-form.png" not in page["content"]
    stored = httpx.get(server.base + "/media/" + image["url"].rsplit("/", 1)[1], timeout=30)
    assert stored.status_code == 200 and stored.headers["content-type"] == "image/png"

    # The same page again: the popup says so, and saving with the page's slug updates that page.
    popup = open_popup(context, extension_id, reading_site + "/help/reset")
    popup.click("#capture")
    popup.wait_for_selector("#draft:not([hidden])")
    assert "Already imported as guides/reset-password" in (popup.text_content("#already") or "")
    assert popup.input_value("#slug") == "guides/reset-password"
    popup.click("#save")
    popup.wait_for_selector("#done:not([hidden])")
    [again] = server.get("/ingest/drafts")["drafts"]
    assert again["page"]["path"] == draft["page"]["path"] and again["page"]["title"] == "Reset your password"


def test_the_servers_refusals_are_shown(
    extension: tuple[sync_api.BrowserContext, str], server: Server, reading_site: str
) -> None:
    context, extension_id = extension
    project, key = server.other_key.split(" ")
    configure(context, extension_id, server.base, project, key)
    popup = open_popup(context, extension_id, reading_site + "/help/reset")
    popup.click("#capture")
    popup.wait_for_selector("#error:not([hidden])")
    assert popup.text_content("#error") == (
        "The 'chrome_ingest' module is off for project 'Module Off'. A manager can enable it in the project's "
        "modules. (module_disabled)"
    )
    assert popup.is_hidden("#draft")
    # A wrong key: the server's own words, read through its CORS answer.
    configure(context, extension_id, server.base, server.project_id, "cs_wrong")
    popup = open_popup(context, extension_id, reading_site + "/help/reset")
    popup.click("#capture")
    popup.wait_for_selector("#error:not([hidden])")
    assert (popup.text_content("#error") or "").endswith("(invalid_api_key)")
    assert server.get("/ingest/drafts")["drafts"] == []
