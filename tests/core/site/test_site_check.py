"""check_site: the gate that stops a broken build from being deployed."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from comstack_core.site import build_site, check_site

from .conftest import BASE_URL


def _build(tmp_path: Path, make_page, make_config) -> Path:
    pages = [
        make_page("index", content="[Intro](/guides/intro)"),
        make_page("guides/intro", content="[Home](/) [Self](#top)"),
        make_page("guides/intro", "es-MX"),
        make_page(
            "pricing", page_type="custom", content="", body_html='<h1>P</h1><a href="/elsewhere">x</a>'
        ),
    ]
    groups = [{"id": "g", "title": {"en": "Guides"}, "icon": "menu_book", "page_slugs": ["guides/intro"]}]
    build_site(make_config(sidebar_groups=groups), pages, tmp_path)
    return tmp_path


def test_a_clean_build_passes(tmp_path: Path, make_page, make_config):
    assert check_site(_build(tmp_path, make_page, make_config), BASE_URL) == []


def test_a_clean_build_passes_at_the_domain_root(tmp_path: Path, make_page, make_config):
    pages = [make_page("index", content="[Intro](/guides/intro)"), make_page("guides/intro")]
    build_site(make_config(base_url="https://docs.example.com"), pages, tmp_path)
    assert check_site(tmp_path, "https://docs.example.com/") == []


def test_broken_links_are_reported(tmp_path: Path, make_page, make_config):
    site = _build(tmp_path, make_page, make_config)
    page = site / "guides/intro/index.html"
    text = page.read_text()
    text = text.replace(
        "</article>",
        '<a href="../../guides/missing/">a</a><a href="/sites/acme/nope.html">b</a>'
        f'<img src="{BASE_URL}assets/gone.png" alt=""><a href="../../../../../etc/passwd">c</a>'
        '<a href="https://other.example.com/x">ok</a><a href="mailto:a@b.c">ok</a></article>',
    )
    page.write_text(text)
    (site / "guides/intro.md").unlink()
    assert sorted(check_site(site, BASE_URL)) == sorted(
        [
            "guides/intro/index.html: broken link ../../guides/intro.md",
            "guides/intro/index.html: broken link ../../guides/missing/",
            "guides/intro/index.html: broken link /sites/acme/nope.html",
            "guides/intro/index.html: broken link ../../../../../etc/passwd",
            f"guides/intro/index.html: broken link {BASE_URL}assets/gone.png",
        ]
    )


def test_a_removed_page_breaks_the_pages_linking_to_it(tmp_path: Path, make_page, make_config):
    site = _build(tmp_path, make_page, make_config)
    (site / "guides/intro/index.html").unlink()
    problems = check_site(site, BASE_URL)
    assert "index.html: broken link guides/intro/" in problems
    assert f"sitemap.xml: broken link {BASE_URL}guides/intro/" in problems
    assert "search/en/d-0.json: broken link guides/intro/" in problems
    assert f"es/guides/intro/index.html: broken link {BASE_URL}guides/intro/" in problems  # hreflang


def test_invalid_output_is_reported(tmp_path: Path, make_page, make_config):
    site = _build(tmp_path, make_page, make_config)
    (site / "empty.html").write_text("  \n")
    (site / "untitled.html").write_text("<!doctype html><html><head></head><body><p>x</p></body></html>")
    page = site / "guides/intro/index.html"
    page.write_text(
        page.read_text().replace(
            '<script type="application/ld+json">{', '<script type="application/ld+json">{,'
        )
    )
    (site / "search/en.json").write_text("[{")
    (site / "sitemap.xml").write_text("<urlset><url>")
    problems = check_site(site, BASE_URL)
    assert "empty.html: empty HTML file" in problems
    assert "untitled.html: missing <title>" in problems
    assert any(p.startswith("guides/intro/index.html: invalid JSON-LD #1") for p in problems)
    assert any(p.startswith("search/en.json: invalid JSON") for p in problems)
    assert any(p.startswith("sitemap.xml: invalid XML") for p in problems)


def test_links_outside_the_site_path_are_not_ours_to_check(tmp_path: Path, make_page, make_config):
    # The custom page links to /elsewhere: another application on the host, not a page of this site.
    site = _build(tmp_path, make_page, make_config)
    assert 'href="/elsewhere"' in (site / "pricing/index.html").read_text()
    assert check_site(site, BASE_URL) == []


def test_links_resolve_as_a_browser_resolves_them():
    """The gate resolves relative links by hand (for speed); it must agree with RFC 3986 as the
    standard library implements it, and call a climb out of the site broken."""
    from itertools import product
    from urllib.parse import unquote, urljoin, urlsplit

    from comstack_core.site.check import ESCAPED, _Site

    site = _Site(Path("."), "https://example.com/sites/acme/", files=set())
    pages = ["index.html", "guides/intro/index.html", "a/b/c/index.html", "es/x.html"]
    urls = [
        *(
            "../",
            "./",
            ".",
            "..",
            "../../",
            "../x/",
            "x/../y",
            "./a/./b",
            "../../../../etc",
            "a/b/..",
            "a/b/.",
        ),
        *("?q=1", "x?q#f", "../a%20b/", "sub/", "/sites/acme/a/../b/", "/sites/acme/../x", "/sites/acme/"),
        *("x#frag", "../../guides/", "a//b", "..%2F"),
    ]
    for page, url in product(pages, urls):
        here = "/sites/acme/" + (page.rsplit("/", 1)[0] + "/" if "/" in page else "")
        path = unquote(urlsplit(urljoin(here, url)).path)
        expected = path[len("/sites/acme/") :] if path.startswith("/sites/acme/") else ESCAPED
        assert site.site_path(page, url) == expected, (page, url)


PAGES = [
    "index.html",
    "a/index.html",
    "a/b/index.html",
    "a/c/index.html",
    "guides/intro/index.html",
    "es/x.html",
]
FILES = {*PAGES, "b/index.html", "sub/index.html", "a/x.md", "x.md", "guides/index.html", "a b/index.html"}
LINK_PARTS = ["..", ".", "", "a", "b", "c", "guides", "intro", "index.html", "x.md", "a%20b", "sub"]
TRICKY_LINKS = [
    *(
        "../../x.md",
        "../x.md",
        "../../../x.md",
        "../a/../../x.md",
        "../b/../../x",
        "..",
        "../..",
        "../.",
        "./",
    ),
    *("../../", "x/../../y", "..//x.md", "#f", "?q=1", "x?q#f", "../x?u=https://y", "/sites/acme/b/"),
    *("https://example.com/sites/acme/a/", "/elsewhere", "//cdn.example.com/x", "mailto:x@example.com"),
]


def _verdicts_agree(links: list[tuple[str, str]]) -> None:
    from comstack_core.site.check import _LinksFrom, _Site

    remembering = _Site(Path("."), "https://example.com/sites/acme/", files=FILES)
    plain = _Site(Path("."), "https://example.com/sites/acme/", files=FILES)
    for page, url in links:
        target = plain.site_path(page, url)
        assert remembering.link_ok(_LinksFrom(page), url) == (target is None or plain.exists(target)), (page, url)


def test_remembered_link_verdicts_equal_resolving_every_link() -> None:
    """The gate remembers each link's verdict by what it depends on and reuses it for other pages: the
    verdicts must be those of resolving every link from its own page, whichever page asked first."""
    from itertools import product

    links = list(product(PAGES, TRICKY_LINKS))
    _verdicts_agree(links)
    _verdicts_agree(links[::-1])
    _verdicts_agree(sorted(links, key=lambda link: (link[1], link[0])))


@given(
    links=st.lists(
        st.tuples(
            st.sampled_from(PAGES),
            st.one_of(
                st.lists(st.sampled_from(LINK_PARTS), min_size=1, max_size=6).map("/".join),
                st.sampled_from(TRICKY_LINKS),
            ),
        ),
        min_size=1,
        max_size=60,
    )
)
def test_remembered_link_verdicts_equal_resolving_every_link_in_any_order(
    links: list[tuple[str, str]],
) -> None:
    _verdicts_agree(links)
