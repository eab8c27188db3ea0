"""The published demo as the server serves it (CSP sandbox on): axe-core finds no accessibility violation on
the home page and on a long reference page, in light and dark; the script works inside the sandbox (no
console errors, search, the theme toggle remembered without storage)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from comstack_http.app import create_app

from ...core.site.conftest import ARTIFACTS
from ...core.site.demo_site import REFERENCE_SLUG, axe_source, free_port, publish_demo
from ...lifespan import serve

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    settings, slug = publish_demo(tmp_path_factory.mktemp("demo"), f"http://127.0.0.1:{port}")
    with serve(create_app(settings), port=port) as base:
        yield f"{base}/sites/{slug}/"


@pytest.fixture(scope="module")
def axe() -> str:
    return axe_source()


def _watch(page: Any) -> list[str]:
    problems: list[str] = []
    page.on(
        "console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return problems


def _violations(page: Any, axe: str) -> list[str]:
    page.evaluate(axe)
    found = page.evaluate("axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)")
    return [f"{v['id']}: {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:5]) for v in found]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", ["", REFERENCE_SLUG + "/"], ids=["home", "reference"])
def test_axe_finds_no_violations(browser: Any, demo: str, axe: str, path: str, scheme: str) -> None:
    page = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme).new_page()
    problems = _watch(page)
    response = page.goto(demo + path)
    assert response is not None and "sandbox" in response.headers["content-security-policy"]
    expect(page.locator("h1")).to_be_visible()
    assert _violations(page, axe) == []
    # With the search dialog open and showing results, too.
    page.keyboard.press("Control+k")
    page.get_by_role("combobox").press_sequentially("publish", delay=10)
    expect(page.get_by_role("option").first).to_be_visible()
    assert _violations(page, axe) == []
    assert problems == []


def test_axe_on_a_phone_with_the_drawer_open(browser: Any, demo: str, axe: str) -> None:
    page = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    ).new_page()
    problems = _watch(page)
    page.goto(demo + REFERENCE_SLUG + "/")
    assert _violations(page, axe) == []
    page.get_by_role("button", name="Menu").click()
    expect(page.get_by_role("navigation", name="Sections")).to_be_visible()
    assert _violations(page, axe) == []
    assert problems == []


def test_the_script_works_inside_the_sandbox(browser: Any, demo: str) -> None:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    problems = _watch(page)
    page.goto(demo + "guides/approving/")
    # The theme is remembered across a reload although a sandboxed page has no storage.
    toggle = page.locator("button.cs-theme")
    toggle.click()
    toggle.click()
    expect(toggle).to_have_attribute("aria-label", "Color theme: dark")
    page.reload()
    assert page.locator("html").get_attribute("data-theme") == "dark"
    # Search fetches its shards cross-origin from the opaque origin and lands on the page.
    page.keyboard.press("/")
    page.get_by_role("combobox").press_sequentially("glossary", delay=10)
    expect(page.get_by_role("option").first).to_contain_text("Glossary of ComStack terms")
    page.keyboard.press("Enter")
    page.wait_for_url(demo + "reference/glossary/")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "demo-page-dark.png"))
    assert problems == []
