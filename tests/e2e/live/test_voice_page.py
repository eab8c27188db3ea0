"""The browser voice page in headless Chromium (system Chromium through Playwright), served by the real app
with uvicorn on loopback: an access key typed in, questions asked through the text box, answers shown with
their page, the session resumed after a reload, and the transcript the manager reads afterwards."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from comstack_core import Core, Principal
from comstack_core.schemas import KeyCreate, ModuleUpdate, PageCreate, ProjectCreate
from comstack_http.app import create_app

from ...conftest import ARTIFACTS, IN_CI, make_user
from ...core.publishing.harness import free_port, publish_and_run
from ...http.live.conftest import PAGES, ready
from ...lifespan import serve

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"]
NAME = "Corner Bakery"

playwright_api = pytest.importorskip("playwright.async_api")


@pytest.fixture
def chromium() -> str:
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"Chromium is missing at {CHROMIUM}; .ci/run installs it (apt-get install chromium)")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    return CHROMIUM


async def test_the_voice_page_answers_through_the_text_box(core: Core, tmp_path: Path, chromium: str) -> None:
    port = free_port()
    settings = core.settings.model_copy(
        update={"public_url": f"http://127.0.0.1:{port}", "run_publish_jobs": False}
    )
    owner = await make_user(core, "baker@example.com")
    project = await core.projects.create_project(
        owner, ProjectCreate(name=NAME, template_id="business-voice")
    )
    for slug, title, description, content in PAGES:
        await ready(
            core,
            owner,
            project.id,
            NAME,
            PageCreate(slug=slug, title=title, description=description, content=content),
        )
    key = (await core.keys.create_key(owner, project.id, KeyCreate(name="voice page", role="viewer"))).key
    async with Core.open(settings) as publisher:
        done = await publish_and_run(publisher, Principal.system(), project.id, NAME)
    assert done.status == "succeeded", done.error
    ARTIFACTS.mkdir(exist_ok=True)

    with serve(create_app(settings), port=port) as base:
        async with playwright_api.async_playwright() as p:
            browser = await p.chromium.launch(executable_path=chromium, args=ARGS)
            try:
                page = await browser.new_page()
                problems: list[str] = []
                page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
                page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
                expect = playwright_api.expect

                # The page is there only while voice_web is on (the business-voice template turns it on).
                await core.modules.configure_module(
                    owner, project.id, "voice_web", ModuleUpdate(enabled=False)
                )
                async with httpx.AsyncClient() as http:
                    off = await http.get(f"{base}/live/{project.slug}")
                assert off.status_code == 404
                await core.modules.configure_module(
                    owner, project.id, "voice_web", ModuleUpdate(enabled=True)
                )
                shown = await page.goto(f"{base}/live/{project.slug}")
                assert shown is not None and shown.status == 200
                assert "script-src 'self'" in shown.headers["content-security-policy"]
                await expect(page.locator("h1")).to_have_text(f"Ask {NAME}")

                # Without a key the page asks for one and sends nothing.
                await page.locator("#question").fill("When is the bakery open on Saturdays?")
                await page.locator("#send").click()
                await expect(page.locator("#error")).to_have_text("Enter your access key first.")

                await page.locator("#access-key").fill(key)
                await page.locator("#send").click()
                turns = page.locator("#log li")
                await expect(turns).to_have_count(3)  # the greeting, the question, the answer
                await expect(turns.nth(0)).to_contain_text(f"{NAME} assistant")
                await expect(turns.nth(1)).to_contain_text("When is the bakery open on Saturdays?")
                await expect(turns.nth(2)).to_contain_text("7 am to 6 pm")
                source = turns.nth(2).locator("a.source")
                await expect(source).to_have_text("Source: Opening hours")
                assert (await source.get_attribute("href") or "").endswith("/visit/opening-hours/")
                await expect(page.locator("#error")).to_be_hidden()
                await page.screenshot(path=str(ARTIFACTS / "live-voice-page.png"), full_page=True)

                # A reload resumes the same session; an unanswerable question is said so.
                await page.reload()
                await expect(page.locator("#status")).to_have_text("Session resumed.")
                await page.locator("#question").fill("Do you repair bicycles?")
                await page.locator("#question").press("Enter")
                await expect(page.locator("#log li")).to_have_count(2)
                await expect(page.locator("#log li").nth(1)).to_contain_text("don't know")
            finally:
                await browser.close()
    assert problems == [], problems

    sessions = await core.transcripts.list_sessions(owner, project.id)
    assert sessions.total == 1  # the reload resumed, it did not start another
    assert sessions.sessions[0].question_count == 2 and sessions.sessions[0].unanswered_count == 1
    assert sessions.sessions[0].actor_kind == "key"
