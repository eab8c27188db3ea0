"""The built site in a real browser, served over real HTTP under /sites/acme/ like the server does."""

from __future__ import annotations

import pytest

from comstack_core.site import build_site
from comstack_core.site.nav import WINDOW

sync_api = pytest.importorskip("playwright.sync_api")


def test_search_and_sidebar_work_in_a_browser(served, browser, make_page, make_config):
    site, base_url = served
    n = 3 * WINDOW
    pages = [make_page("index", title="Home")]
    pages += [make_page(f"docs/p{i}", title=f"Doc page {i}", content=f"Words {i}.") for i in range(n)]
    pages.append(make_page("guides/install", title="Install the CLI", content="Run the **installer**."))
    groups = [
        {"id": "docs", "title": {"en": "Docs"}, "icon": "article", "page_slugs": [p.slug for p in pages[1:]]}
    ]
    build_site(make_config(base_url=base_url, sidebar_groups=groups), pages, site)

    page = browser.new_page()
    bad: list[str] = []
    page.on("console", lambda m: bad.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: bad.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(base_url + f"docs/p{n // 2}/")
    assert page.title() == f"Doc page {n // 2} · Acme Docs"

    search = page.locator(".cs-search input")
    search.fill("install cli")
    result = page.locator(".cs-results a").first
    sync_api.expect(result).to_contain_text("Install the CLI")
    assert result.get_attribute("href") == base_url + "guides/install/"
    page.keyboard.press("Escape")  # closes the search dialog

    more = page.locator("button.cs-more")
    sync_api.expect(more).to_be_visible()
    assert page.locator(".cs-open ul a").count() == 2 * WINDOW + 1
    more.click()
    sync_api.expect(page.locator(".cs-open ul a")).to_have_count(n + 1)
    sync_api.expect(page.locator('.cs-open [aria-current="page"]')).to_have_text(f"Doc page {n // 2}")

    result = page.locator(".cs-results a").first
    search.fill("installer")
    sync_api.expect(result).to_contain_text("Install the CLI")
    result.click()
    page.wait_for_url(base_url + "guides/install/")
    assert page.locator("h1").inner_text() == "Install the CLI"
    assert bad == []
