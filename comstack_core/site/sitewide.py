"""The site-wide files: assets, robots.txt, 404.html, the sitemap, and per locale the shared navigation
file, llms.txt, llms-full.txt and the search index (search_files).

Each comes with what it shows (`Needs`: the locale, and whether its pages, navigation or summary;
None: the whole site) and a function that makes it, so a build makes only the files whose inputs
changed. Files put together from per-page pieces (a search row, a sitemap row...) are made as
`Parts` and name the piece function, so a build that changed a few pages can swap just their pieces
in the previous build's parts; the pieces themselves are kept on the pages' records
(PageRecord.pieces), so an unchanged page's pieces are made once, not on every build. llms-full.txt is
the exception: its sections are the pages' whole texts, which the pages already hold, so it is joined
from them again whenever it changes (only each section's start is kept).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from . import indexes
from .context import Assets, asset
from .indexes import Parts, Piece
from .model import PageRecord
from .nav import LocaleNav
from .render import Shared, render_404, render_home
from .search import DOCS_PER_SHARD, TermIndex, doc_row, doc_shard_name, doc_shards, meta_json, shard_name
from .theme import ICON_FONT, ICON_LICENSE
from .urls import Entry, SiteIndex


@dataclass(frozen=True)
class Needs:
    locale: str
    pages: bool = False
    nav: bool = False
    summary: bool = False


@dataclass
class SiteFile:
    needs: Needs | None  # None: shows something of every locale
    make: Callable[[], bytes | Parts]
    piece: Piece | None = None  # the per-page piece function, for files made of Parts


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

    def doc(self, e: Entry) -> str:
        return self._get(
            "doc", lambda e, r: doc_row(e.page.title, e.path, e.page.description or r.excerpt, r.toc), e
        )

    def sitemap(self, e: Entry) -> str:
        return self._get("sitemap", lambda e, _r: indexes.sitemap_row(self.index, e), e)

    def llms(self, e: Entry) -> str:
        return self._get("llms", lambda e, _r: indexes.llms_item(self.index, e), e)

    def llms_full_head(self, e: Entry) -> str:
        return self._get("llms-full-head", lambda e, _r: indexes.llms_section_head(self.index, e), e)


def _encoded(make: Callable[[SiteIndex], str], index: SiteIndex) -> bytes:
    return make(index).encode()


def _nav_json(nav: LocaleNav) -> bytes:
    return json.dumps(nav.shared_json(), ensure_ascii=False, separators=(",", ":")).encode()


def site_files(
    shared: Shared, assets: Assets, records: dict[str, PageRecord]
) -> tuple[dict[str, SiteFile], Callable[[], dict[str, Parts]], Piece]:
    """The fixed-name files by name, a maker of the sitemap file(s) (their names depend on the page
    count), and the sitemap's piece function."""
    index = shared.index
    config = index.config
    pieces = Pieces(index, records)
    files: dict[str, SiteFile] = {
        assets.css_name: SiteFile(None, lambda: assets.css),
        assets.js_name: SiteFile(None, lambda: assets.js),
        f"assets/{ICON_FONT}": SiteFile(None, partial(asset, ICON_FONT)),
        f"assets/{ICON_LICENSE}": SiteFile(None, partial(asset, ICON_LICENSE)),
        "robots.txt": SiteFile(None, partial(_encoded, indexes.robots, index)),
        "404.html": SiteFile(None, partial(render_404, shared)),
    }
    if "" not in index.by_path:
        files["index.html"] = SiteFile(None, partial(render_home, shared))
    languages = sorted(shared.navs)
    with_pages = {e.page.language for e in index.entries}
    for lang in languages:
        nav = shared.navs[lang]
        files[f"nav/{lang}.json"] = SiteFile(Needs(lang, nav=True), partial(_nav_json, nav))
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
        files[f"{prefix}llms.txt"] = SiteFile(
            Needs(lang, pages=True, nav=True, summary=True),
            partial(indexes.llms_txt, index, nav, others, pieces.llms),
            pieces.llms,
        )
        files[f"{prefix}llms-full.txt"] = SiteFile(
            Needs(lang, pages=True), partial(indexes.llms_full, index, lang, pieces.llms_full_head)
        )
    return files, partial(indexes.sitemaps, index, pieces.sitemap), pieces.sitemap


def search_names(old_files: dict[str, tuple[int, str]], locale: str) -> list[str]:
    head = f"search/{locale}"
    return [n for n in old_files if n == head + ".json" or n.startswith(head + "/")]


def search_files(
    shared: Shared,
    locale: str,
    records: dict[str, PageRecord],
    rendered: list[Entry],
    prior: TermIndex | None,
    old_records: dict[str, PageRecord] | None,
    old_files: dict[str, tuple[int, str]],
) -> tuple[dict[str, bytes], list[str], TermIndex]:
    """The locale's search files to write, the names of those that stand as they are, and its term index.

    With `prior` (the term index of the previous build, whose pages had the same document numbers) and the
    previous build's records, only the rendered pages' terms are swapped and only the shards they touch
    are made; otherwise the index is made from every page's recorded terms."""
    pieces = Pieces(shared.index, records)
    entries = [e for e in shared.index.entries if e.page.language == locale]
    count = (len(entries) + DOCS_PER_SHARD - 1) // DOCS_PER_SHARD
    made: dict[str, bytes] = {}
    kept: list[str] = []
    if prior is not None and old_records is not None:
        positions = {e.html_file: n for n, e in enumerate(entries)}
        changes = {}
        for e in rendered:
            if e.page.language == locale:
                old = old_records.get(e.html_file)
                changes[positions[e.html_file]] = (old.terms if old is not None else "", records[e.html_file].terms)
        terms, dirty = prior.updated(changes)
        wanted = {d // DOCS_PER_SHARD for d in changes}
        wanted |= {n for n in range(count) if doc_shard_name(locale, n) not in old_files}
        rows = [
            pieces.doc(e) if n // DOCS_PER_SHARD in wanted else "" for n, e in enumerate(entries)
        ]  # only the shards made need their rows
        made.update(doc_shards(locale, rows, wanted))
        kept += [doc_shard_name(locale, n) for n in range(count) if n not in wanted]
        for key in terms.shards:
            name = shard_name(locale, key)
            if key in dirty or name not in old_files:
                made[name] = terms.shard_json(key)
            else:
                kept.append(name)
    else:
        terms = TermIndex.of([records[e.html_file].terms for e in entries])
        made.update(doc_shards(locale, [pieces.doc(e) for e in entries]))
        made.update((shard_name(locale, key), terms.shard_json(key)) for key in terms.shards)
    made[f"search/{locale}.json"] = meta_json(terms, len(entries))
    return made, kept, terms
