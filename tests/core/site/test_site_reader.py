"""The published site as a reader uses it, in a real browser: table of contents, previous/next, the search
dialog by keyboard, the mobile drawer, the theme toggle, copying, print and reduced motion. Screenshots of
the home page, a page, the search dialog and a phone go to test-artifacts/site/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from comstack_core.site import build_site, check_site

from .conftest import ARTIFACTS

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

LONG = "\n\n".join(
    [
        "The configuration reference: every setting, its default and when to change it.",
        *(
            f"## Section {n} settings\n\nParagraph about area {n}. " + "Words that fill the page. " * 40
            + (f"\n\n### Detail {n}\n\nThe retention window for backups lives here." if n == 6 else "")
            + ("\n\n> [!WARNING]\n> Changing this drops the cache." if n == 3 else "")
            + ("\n\n!!! tip\n    Keep the defaults at first." if n == 4 else "")
            + ("\n\n| Setting | Default | Meaning |\n|---|---|---|\n| " + " | ".join(["a_very_long_setting_name"] * 3) + " |" if n == 2 else "")
            + ("\n\n```python\nprint('hello from the docs')\n```" if n == 1 else "")
            for n in range(1, 9)
        ),
    ]
)  # fmt: skip


def _corpus(make_page: Any, make_config: Any, base_url: str) -> tuple[Any, list[Any]]:
    guides = [
        ("guides/start", "Getting started"),
        ("guides/write", "Writing pages"),
        ("guides/publish", "Publishing"),
    ]
    reference = [("reference/config", "Configuration reference"), ("reference/api", "API overview")]
    pages = [
        make_page("index", title="Acme documentation", description="Everything about Acme, in one place.")
    ]
    pages += [make_page(slug, title=title, content=f"About {title.lower()}.\n") for slug, title in guides]
    pages.append(make_page("reference/config", title="Configuration reference", content=LONG))
    pages.append(make_page("reference/api", title="API overview", content="Routes and keys.\n"))
    pages.append(make_page("index", "es-MX", title="Documentación de Acme", description="Todo sobre Acme."))
    pages.append(make_page("guides/start", "es-MX", title="Primeros pasos", content="Configuración rápida.\n"))
    groups = [
        {"id": "guides", "title": {"en": "Guides", "es-MX": "Guías"}, "icon": "menu_book",
         "page_slugs": [s for s, _ in guides]},
        {"id": "reference", "title": {"en": "Reference"}, "icon": "code", "page_slugs": [s for s, _ in reference]},
    ]  # fmt: skip
    header = [{"id": "g", "label": {"en": "Guides"}, "target": "guides/start"}]
    return make_config(base_url=base_url, sidebar_groups=groups, header_nav=header), pages


@pytest.fixture
def site(served: tuple[Path, str], make_page: Any, make_config: Any) -> str:
    out, base_url = served
    config, pages = _corpus(make_page, make_config, base_url)
    build_site(config, pages, out)
    assert check_site(out, base_url) == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return base_url


def _watch(page: Any) -> list[str]:
    problems: list[str] = []
    page.on(
        "console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return problems


def _desktop(browser: Any, **kw: Any) -> Any:
    return browser.new_context(viewport={"width": 1280, "height": 800}, **kw).new_page()


def test_home_page_hero_and_cards(browser: Any, site: str) -> None:
    page = _desktop(browser)
    problems = _watch(page)
    page.goto(site)
    hero = page.locator(".cs-hero")
    expect(hero.locator("h1")).to_have_text("Acme documentation")
    expect(hero.locator(".cs-lead")).to_have_text("Everything about Acme, in one place.")
    buttons = hero.locator(".cs-cta a")
    expect(buttons).to_have_text(["Get started", "Reference"])
    cards = page.locator(".cs-cards a")
    expect(cards).to_have_count(2)
    expect(cards.first).to_contain_text("Guides")
    expect(cards.first).to_contain_text("Getting started · Writing pages · Publishing")
    page.screenshot(path=str(ARTIFACTS / "home.png"), full_page=True)
    buttons.first.click()
    page.wait_for_url(site + "guides/start/")
    # The translated home page has its own hero and cards, in its language.
    page.goto(site + "es/")
    expect(page.locator(".cs-hero h1")).to_have_text("Documentación de Acme")
    expect(page.locator(".cs-cta a").first).to_have_text("Empezar")
    expect(page.locator(".cs-cards a").first).to_contain_text("Guías")
    assert page.locator("html").get_attribute("lang") == "es-MX"
    assert problems == []


def test_table_of_contents_follows_the_reading_position(browser: Any, site: str) -> None:
    page = _desktop(browser)
    problems = _watch(page)
    page.goto(site + "reference/config/")
    toc = page.get_by_role("navigation", name="On this page")
    expect(toc).to_be_visible()
    links = toc.locator("a")
    expect(links).to_have_count(9)  # eight sections and one sub-heading
    lit = toc.locator('a[aria-current="true"]')
    expect(lit).to_have_text("Section 1 settings")
    page.locator("#section-5-settings").evaluate("h => window.scrollTo(0, h.offsetTop - 60)")
    expect(lit).to_have_text("Section 5 settings")
    page.locator("#detail-6").evaluate("h => window.scrollTo(0, h.offsetTop - 60)")
    expect(lit).to_have_text("Detail 6")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    expect(lit).to_have_text("Section 8 settings")
    # A TOC link lands on its heading below the sticky header.
    page.evaluate("window.scrollTo(0, 0)")
    links.nth(3).click()
    page.wait_for_url("**#section-4-settings")
    top = page.locator("#section-4-settings").bounding_box()
    header = page.locator(".cs-header").bounding_box()
    assert top is not None and header is not None and header["height"] <= top["y"] < 200
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / "page.png"))
    # Short pages show no table of contents.
    page.goto(site + "guides/write/")
    expect(page.locator(".cs-toc")).to_have_count(0)
    assert problems == []


def test_breadcrumbs_and_previous_next_in_sidebar_order(browser: Any, site: str) -> None:
    page = _desktop(browser)
    problems = _watch(page)
    page.goto(site + "guides/publish/")
    crumbs = page.get_by_role("navigation", name="Breadcrumb")
    expect(crumbs.locator("li")).to_have_text(["Home", "Guides", "Publishing"])
    expect(crumbs.locator('[aria-current="page"]')).to_have_text("Publishing")
    expect(page.locator("a[rel=prev]")).to_contain_text("Writing pages")
    # The last page of a group leads to the first of the next group.
    page.locator("a[rel=next]").click()
    page.wait_for_url(site + "reference/config/")
    expect(page.locator("a[rel=prev]")).to_contain_text("Publishing")
    page.locator("a[rel=next]").click()
    page.wait_for_url(site + "reference/api/")
    expect(page.locator("a[rel=next]")).to_have_count(0)  # the end of the sidebar
    page.goto(site + "guides/start/")
    expect(page.locator("a[rel=prev]")).to_have_count(0)
    expect(page.locator(".cs-updated time")).to_have_text("March 1, 2025")  # in the reader's language
    assert problems == []


def test_search_dialog_by_keyboard(browser: Any, site: str) -> None:
    page = _desktop(browser)
    problems = _watch(page)
    page.goto(site + "guides/start/")
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.keyboard.press("/")
    dialog = page.get_by_role("dialog", name="Search")
    expect(dialog).to_be_visible()
    box = dialog.get_by_role("combobox")
    expect(box).to_be_focused()
    assert not any("/search/" in u for u in requested if "/search/en.json" not in u)
    box.press_sequentially("config retention", delay=20)
    options = dialog.get_by_role("option")
    expect(options.first).to_contain_text("Configuration reference")
    # The heading whose section holds the word the title does not.
    expect(options.nth(1)).to_have_text("Detail 6")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(options.first.locator("mark")).to_have_text(["Config", "config"])  # title and summary
    page.screenshot(path=str(ARTIFACTS / "search.png"))
    page.keyboard.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    assert box.get_attribute("aria-activedescendant") == options.nth(1).get_attribute("id")
    page.keyboard.press("Enter")
    page.wait_for_url(site + "reference/config/#detail-6")
    heading = page.locator("#detail-6")
    expect(heading).to_be_in_viewport()
    # Ctrl-K opens it too; nothing found says so, with a hint; the last search is offered again.
    page.keyboard.press("Control+k")
    expect(dialog).to_be_visible()
    expect(box).to_be_focused()
    expect(dialog.get_by_role("group", name="Recent searches").get_by_role("option")).to_have_text(
        ["config retention"]
    )
    box.fill("zzqx")
    expect(dialog.locator(".cs-status")).to_have_text(
        "No results for “zzqx”. Check the spelling, or try fewer or more general words."
    )
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    # Only the shard list and the shards the words needed were fetched.
    fetched = sorted({u.split("/sites/acme/")[1] for u in requested if "/search/" in u})
    assert fetched[0] == "search/en.json" and all(f.startswith("search/en/") for f in fetched[1:])
    assert problems == []


def test_search_ignores_case_and_accents_per_locale(browser: Any, site: str) -> None:
    """The script splits and folds a query as the builder folded the pages (search.terms_of), and each
    locale searches its own index."""
    page = _desktop(browser)
    problems = _watch(page)
    page.goto(site + "es/guides/start/")
    page.keyboard.press("Control+k")
    box = page.get_by_role("combobox")
    for query in ("CONFIGURACION rapida", "configuración RÁPIDA", "rápi"):
        box.fill(query)
        expect(page.get_by_role("option").first).to_contain_text("Primeros pasos")
    box.fill("getting")  # an English title: not in the Spanish index
    expect(page.locator(".cs-status")).to_contain_text("No hay resultados")
    assert problems == []


def test_mobile_drawer(browser: Any, site: str) -> None:
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = phone.new_page()
    problems = _watch(page)
    page.goto(site + "guides/write/")
    menu = page.get_by_role("button", name="Menu")
    side = page.get_by_role("navigation", name="Sections")
    expect(menu).to_be_visible()
    expect(side).to_be_hidden()
    page.screenshot(path=str(ARTIFACTS / "mobile.png"), full_page=True)
    menu.click()
    expect(side).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(side.locator('[aria-current="page"]')).to_be_focused()
    page.screenshot(path=str(ARTIFACTS / "mobile-drawer.png"))
    page.keyboard.press("Escape")
    expect(side).to_be_hidden()
    expect(menu).to_be_focused()
    menu.click()
    side.get_by_role("link", name="Publishing").click()
    page.wait_for_url(site + "guides/publish/")
    expect(page.get_by_role("navigation", name="Sections")).to_be_hidden()
    # Wide tables scroll inside their box on a phone, not the page.
    page.goto(site + "reference/config/")
    table = page.locator(".cs-table").first
    assert table.evaluate("t => t.scrollWidth > t.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert problems == []


def test_theme_toggle_is_remembered(browser: Any, site: str) -> None:
    page = _desktop(browser, color_scheme="light")
    problems = _watch(page)
    page.goto(site + "guides/start/")
    toggle = page.locator("button.cs-theme")
    expect(toggle).to_have_attribute("aria-label", "Color theme: system")
    background = "getComputedStyle(document.body).backgroundColor"
    assert page.evaluate(background) == "rgb(255, 255, 255)"
    toggle.click()
    expect(toggle).to_have_attribute("aria-label", "Color theme: light")
    toggle.click()
    expect(toggle).to_have_attribute("aria-label", "Color theme: dark")
    assert page.evaluate(background) == "rgb(17, 20, 24)"
    page.reload()
    assert page.locator("html").get_attribute("data-theme") == "dark"
    assert page.evaluate(background) == "rgb(17, 20, 24)"
    expect(page.locator("button.cs-theme")).to_have_attribute("aria-label", "Color theme: dark")
    page.goto(site + "reference/api/")  # and on every other page
    assert page.evaluate(background) == "rgb(17, 20, 24)"
    page.locator("button.cs-theme").click()  # back to the system's choice
    page.reload()
    assert page.locator("html").get_attribute("data-theme") is None
    assert page.evaluate(background) == "rgb(255, 255, 255)"
    assert problems == []


def test_copy_code_and_page_as_markdown(browser: Any, site: str) -> None:
    page = _desktop(browser, permissions=["clipboard-read", "clipboard-write"])
    problems = _watch(page)
    page.goto(site + "reference/config/")
    code = page.locator(".cs-code").first
    code.hover()
    code.get_by_role("button", name="Copy code").click()
    assert page.evaluate("navigator.clipboard.readText()") == "print('hello from the docs')"
    page.locator(".cs-actions summary").click()
    md = page.locator(".cs-copy-md")
    md.click()
    expect(md).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("# Configuration reference\n") and "## Section 8 settings" in copied
    ask = page.get_by_role("link", name="Open in Claude").get_attribute("href")
    assert (
        ask is not None
        and ask.startswith("https://claude.ai/new?q=Read%20")
        and "reference%2Fconfig.md" in ask
    )
    assert (
        page.get_by_role("link", name="View as Markdown").get_attribute("href") == "../../reference/config.md"
    )
    # Callouts, in the page's words.
    expect(page.locator(".cs-callout.cs-warning .cs-callout-t")).to_have_text("Warning")
    expect(page.locator(".cs-callout.cs-tip .cs-callout-t")).to_have_text("Tip")
    assert problems == []


def test_print_and_reduced_motion(browser: Any, site: str) -> None:
    page = browser.new_context(viewport={"width": 390, "height": 844}, reduced_motion="reduce").new_page()
    page.goto(site + "reference/config/")
    side = page.locator(".cs-side")
    assert side.evaluate("n => getComputedStyle(n).transitionDuration") == "0s"
    page.emulate_media(media="print")
    for selector in (".cs-header", ".cs-side", ".cs-pager", ".cs-footer"):
        expect(page.locator(selector)).to_be_hidden()
    expect(page.locator("article h1")).to_be_visible()
