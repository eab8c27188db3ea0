"""The published demo site in headless Chromium (system Chromium through Playwright; never downloaded),
served by the real app with uvicorn on loopback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from comstack_core import Core, Principal
from comstack_core.demo import seed_demo
from comstack_http.app import create_app

from ...conftest import ARTIFACTS, IN_CI
from ...core.publishing.harness import free_port, publish_and_run
from ...lifespan import serve

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"]

playwright_api = pytest.importorskip("playwright.async_api")


@pytest.fixture
def chromium() -> str:
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"Chromium is missing at {CHROMIUM}; .ci/run installs it (apt-get install chromium)")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    return CHROMIUM


async def test_published_demo_in_a_browser(core: Core, tmp_path: Path, chromium: str) -> None:
    port = free_port()
    settings = core.settings.model_copy(
        update={"public_url": f"http://127.0.0.1:{port}", "run_publish_jobs": False}
    )
    demo = await seed_demo(core, tmp_path / "demo")
    slug = (await core.projects.get_project(Principal.system(), demo.project_id)).slug
    async with Core.open(settings) as publisher:  # builds with the URL the browser will use
        done = await publish_and_run(publisher, Principal.system(), demo.project_id, demo.project_name)
    assert done.status == "succeeded", done.error
    ARTIFACTS.mkdir(exist_ok=True)

    with serve(create_app(settings), port=port) as base:
        site = f"{base}/sites/{slug}/"
        async with playwright_api.async_playwright() as p:
            browser = await p.chromium.launch(executable_path=chromium, args=ARGS)
            try:
                page = await browser.new_page()
                problems: list[str] = []
                page.on(
                    "console",
                    lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
                )
                page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
                page.on(
                    "response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None
                )
                expect = playwright_api.expect

                await page.goto(site)
                await expect(page.locator("h1")).to_be_visible()
                await expect(page.locator("h1")).to_have_text("Your knowledge, everywhere")
                await page.screenshot(path=str(ARTIFACTS / "publishing-home.png"), full_page=True)

                # Header navigation.
                await page.locator("header nav a", has_text="Guides").click()
                await page.wait_for_url(site + "guides/getting-started/")
                await expect(page.locator("main h1")).to_have_text("Getting started with ComStack")
                await page.locator("header nav a", has_text="Reference").click()
                await page.wait_for_url(site + "reference/api/")
                await expect(page.locator("main h1")).to_have_text("REST API reference overview")

                # Sidebar: a page of the open group, then another group.
                await page.locator("nav.cs-side a", has_text="Roles and permissions in a project").click()
                await page.wait_for_url(site + "reference/roles/")
                await expect(page.locator('nav.cs-side [aria-current="page"]')).to_have_text(
                    "Roles and permissions in a project"
                )
                await page.locator("nav.cs-side a", has_text="Guides").first.click()
                await page.wait_for_url(site + "guides/getting-started/")
                await page.locator("nav.cs-side a", has_text="The live voice agent").click()
                await page.wait_for_url(site + "guides/voice-agent/")
                await expect(page.locator("main h1")).to_have_text("The live voice agent")

                # Search: type a word, get the page, follow it.
                box = page.locator(".cs-search input")
                await expect(box).to_be_visible()
                await box.press_sequentially("glossary", delay=20)
                hit = page.locator(".cs-results a").first
                await expect(hit).to_contain_text("Glossary of ComStack terms")
                await page.screenshot(path=str(ARTIFACTS / "publishing-search.png"))
                await hit.click()
                await page.wait_for_url(site + "reference/glossary/")
                await expect(page.locator("main h1")).to_have_text("Glossary of ComStack terms")
                await page.screenshot(path=str(ARTIFACTS / "publishing-page.png"), full_page=True)

                # The site's own 404 page for a missing URL.
                missing = await page.goto(site + "no/such/page/")
                assert missing is not None and missing.status == 404
                problems = [p for p in problems if not p.startswith(f"404 {site}no/such/page/")]
                await expect(page.locator("body")).to_contain_text("ComStack Demo")
                problems = [p for p in problems if "404 (Not Found)" not in p]
            finally:
                await browser.close()
    assert problems == [], problems
