"""The site-wide files: assets, robots.txt, 404.html, the sitemap, and per locale the search index,
the shared navigation file, llms.txt and llms-full.txt.

Each comes with what it shows (`Needs`: the locale, and whether its pages, navigation or summary;
None: the whole site) and a function that makes it, so a build makes only the files whose inputs
changed. The per-page pieces they are put
together from are kept on the pages' records (PageRecord.pieces), so an unchanged page's pieces are
made once, not on every build.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from . import indexes
from .context import Assets, asset
from .model import PageRecord
from .nav import LocaleNav
from .render import Shared, render_404, render_home
from .theme import ICON_FONT, ICON_LICENSE
from .urls import Entry, SiteIndex

Maker = Callable[[], bytes]


@dataclass(frozen=True)
class Needs:
    locale: str
    pages: bool = False
    nav: bool = False
    summary: bool = False


class Pieces:
    def __init__(self, index: SiteIndex, records: dict[str, PageRecord]) -> None:
        self.index = index
        self.records = records

    def _get(self, kind: str, make: Callable[[Entry, PageRecord], str], e: Entry) -> str:
        record = self.records[e.html_file]
        piece = record.pieces.get(kind)
        if piece is None:
            piece = record.pieces[kind] = make(e, record)
        return piece

    def search(self, e: Entry) -> str:
        return self._get("search", lambda e, r: indexes.search_row(e, r.excerpt), e)

    def sitemap(self, e: Entry) -> str:
        return self._get("sitemap", lambda e, _r: indexes.sitemap_row(self.index, e), e)

    def llms(self, e: Entry) -> str:
        return self._get("llms", lambda e, _r: indexes.llms_item(self.index, e), e)

    def llms_full(self, e: Entry) -> str:
        return self._get("llms-full", lambda e, _r: indexes.llms_section(self.index, e), e)


def _encoded(make: Callable[..., str], *args: Any) -> bytes:
    return make(*args).encode()


def _nav_json(nav: LocaleNav) -> bytes:
    return json.dumps(nav.shared_json(), ensure_ascii=False, separators=(",", ":")).encode()


def site_files(
    shared: Shared, assets: Assets, records: dict[str, PageRecord]
) -> tuple[dict[str, tuple[Needs | None, Maker]], Callable[[], dict[str, bytes]]]:
    """(name -> (needs, maker)) of the fixed-name files, and a maker of the sitemap file(s), whose
    names depend on the page count."""
    index = shared.index
    config = index.config
    pieces = Pieces(index, records)
    files: dict[str, tuple[Needs | None, Maker]] = {
        assets.css_name: (None, lambda: assets.css),
        assets.js_name: (None, lambda: assets.js),
        f"assets/{ICON_FONT}": (None, partial(asset, ICON_FONT)),
        f"assets/{ICON_LICENSE}": (None, partial(asset, ICON_LICENSE)),
        "robots.txt": (None, partial(_encoded, indexes.robots, index)),
        "404.html": (None, partial(render_404, shared)),
    }
    if "" not in index.by_path:
        files["index.html"] = (None, partial(render_home, shared))
    languages = sorted(shared.navs)
    with_pages = {e.page.language for e in index.entries}
    for lang in languages:
        nav = shared.navs[lang]
        files[f"search/{lang}.json"] = (
            Needs(lang, pages=True),
            partial(_encoded, indexes.search_index, index, lang, pieces.search),
        )
        files[f"nav/{lang}.json"] = (Needs(lang, nav=True), partial(_nav_json, nav))
        # The default locale always gets llms.txt: every page's footer links to it.
        if lang not in with_pages and lang != config.default_locale:
            continue
        prefix = index.prefixes[lang]
        others = []
        if lang == config.default_locale:
            others = [
                (other, index.absolute(index.prefixes[other] + "llms.txt"))
                for other in languages
                if other != lang and other in with_pages
            ]
        files[f"{prefix}llms.txt"] = (
            Needs(lang, pages=True, nav=True, summary=True),
            partial(_encoded, indexes.llms_txt, index, nav, others, pieces.llms),
        )
        files[f"{prefix}llms-full.txt"] = (
            Needs(lang, pages=True),
            partial(_encoded, indexes.llms_full, index, lang, pieces.llms_full),
        )

    def sitemaps() -> dict[str, bytes]:
        return {name: text.encode() for name, text in indexes.sitemaps(index, pieces.sitemap).items()}

    return files, sitemaps
