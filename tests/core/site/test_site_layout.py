"""Sidebar, header, theme stylesheet, and the size of the output."""

from __future__ import annotations

import json
from pathlib import Path

from comstack_core.site import build_site, check_site
from comstack_core.site.nav import WINDOW

from .conftest import BASE_URL


def _groups(pages_per_group: int, groups: int = 3) -> list[dict]:
    return [
        {
            "id": f"g{g}",
            "title": {"en": f"Group {g}", "es-MX": f"Grupo {g}"},
            "icon": "menu_book",
            "page_slugs": [f"g{g}/p{i}" for i in range(pages_per_group)],
        }
        for g in range(groups)
    ]


def _pages(make_page, pages_per_group: int, groups: int = 3) -> list:
    pages = [make_page("index")]
    for g in range(groups):
        pages += [make_page(f"g{g}/p{i}", title=f"G{g} page {i}") for i in range(pages_per_group)]
    return pages


def test_only_the_current_group_is_expanded(tmp_path: Path, make_page, make_config, html):
    config = make_config(sidebar_groups=_groups(4))
    build_site(config, _pages(make_page, 4), tmp_path)
    doc = html(tmp_path / "g1/p2/index.html")
    side = doc.css_first("nav.cs-side")
    groups = side.css("nav.cs-side > ul > li")
    assert [li.css_first("a").text(strip=True) for li in groups] == [
        "menu_bookGroup 0",
        "menu_bookGroup 1",
        "menu_bookGroup 2",
    ]
    open_ = [li for li in groups if li.css_first("ul") is not None]
    assert len(open_) == 1 and open_[0].attributes["data-group"] == "g1"
    assert [a.text() for a in open_[0].css_first("ul").css("a")] == [f"G1 page {i}" for i in range(4)]
    assert open_[0].css_first('[aria-current="page"]').text() == "G1 page 2"
    # Compact groups link to their first page.
    assert groups[0].css_first("a").attributes["href"] == "../../g0/p0/"
    assert groups[0].css_first(".cs-ico").attributes["aria-hidden"] == "true"
    # A page in no group shows every group compact.
    assert not html(tmp_path / "index.html").css("nav.cs-side ul ul")


def test_a_large_group_shows_a_window_and_the_full_list_is_shared(
    tmp_path: Path, make_page, make_config, html
):
    n = 3 * WINDOW
    build_site(make_config(sidebar_groups=_groups(n, groups=1)), _pages(make_page, n, groups=1), tmp_path)
    doc = html(tmp_path / f"g0/p{n // 2}/index.html")
    shown = [a.text() for a in doc.css("nav.cs-side ul ul a")]
    assert len(shown) == 2 * WINDOW + 1
    assert f"G0 page {n // 2}" in shown
    assert doc.css_first("button.cs-more").attributes["data-group"] == "g0"
    shared = json.loads((tmp_path / "nav/en.json").read_text())
    assert len(shared["g0"]) == n and shared["g0"][0] == ["G0 page 0", "g0/p0/"]


def test_output_grows_linearly(tmp_path: Path, make_page, make_config):
    def html_bytes(pages_per_group: int, where: Path) -> int:
        groups = 10
        build_site(
            make_config(sidebar_groups=_groups(pages_per_group, groups)),
            _pages(make_page, pages_per_group, groups),
            where,
        )
        return sum(f.stat().st_size for f in where.rglob("*.html"))

    small = html_bytes(20, tmp_path / "200")
    large = html_bytes(40, tmp_path / "400")
    assert large / small < 2.3, (small, large)


def test_header_nav_and_theme(tmp_path: Path, make_page, make_config, html):
    theme = {
        "colors": {"primary": "#ff0066", "text": "red;}</style><script>"},
        "fonts": {"body": "Inter"},
        "logo_url": "https://cdn.example.com/logo.svg",
        "favicon_url": "javascript:alert(1)",
        "dark_mode": "auto",
    }
    nav = [
        {"id": "docs", "label": {"en": "Docs", "es-MX": "Documentos"}, "target": "g0/p0"},
        {"id": "gh", "label": {"en": "GitHub"}, "target": "https://github.com/acme"},
    ]
    config = make_config(theme=theme, header_nav=nav, sidebar_groups=_groups(2))
    pages = [*_pages(make_page, 2), make_page("g0/p0", "es-MX")]
    build_site(config, pages, tmp_path)
    doc = html(tmp_path / "es/g0/p0/index.html")
    links = [(a.text(), a.attributes["href"]) for a in doc.css("nav.cs-top a")]
    assert links == [("Documentos", "../../../es/g0/p0/"), ("GitHub", "https://github.com/acme")]
    assert doc.css_first(".cs-brand img").attributes["src"] == "https://cdn.example.com/logo.svg"
    assert doc.css_first('link[rel="icon"]').attributes["href"] == "data:,"  # unsafe favicon URL dropped
    css_files = list((tmp_path / "assets").glob("site.*.css"))
    assert len(css_files) == 1
    css = css_files[0].read_text()
    assert "--cs-primary:#ff0066" in css and "--cs-text:#1f2328" in css  # bad colour -> default
    assert "Inter, system-ui" in css
    assert "@media (prefers-color-scheme:dark)" in css
    assert "font-display:block" in css and "material-symbols-rounded.woff2" in css
    assert (tmp_path / "assets/material-symbols-rounded.woff2").stat().st_size > 100_000
    assert "Apache License" in (tmp_path / "assets/material-symbols-LICENSE.txt").read_text()
    assert check_site(tmp_path, BASE_URL) == []


def test_light_theme_has_no_dark_media_query(tmp_path: Path, make_page, make_config):
    build_site(make_config(theme={"dark_mode": "light"}), [make_page("index")], tmp_path)
    css = next((tmp_path / "assets").glob("site.*.css")).read_text()
    assert "prefers-color-scheme" not in css
