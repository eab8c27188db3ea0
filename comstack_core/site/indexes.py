"""Site-wide files: sitemap.xml, robots.txt, llms.txt, llms-full.txt, the search index.

Each is the page list's per-page pieces (a sitemap row, a search row, an llms.txt item, an
llms-full.txt section) put together. All but llms-full.txt are made as `Parts` that know where each
page's piece is. The pieces come from a `Piece` function, so a caller can keep the pieces of unchanged
pages between builds, and after an edit of a few pages swap just their pieces in the previous build's
parts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from .model import SitePage
from .nav import LocaleNav
from .urls import Entry, SiteIndex

SITEMAP_MAX_URLS = 50_000  # the sitemap protocol's per-file limit

Piece = Callable[[Entry], str]


@dataclass
class Parts:
    """A file as the strings it is joined from, and the index of each page's piece among them."""

    parts: list[str]
    slots: dict[str, int] = field(default_factory=dict)  # html_file -> index in parts

    def text(self) -> str:
        return "".join(self.parts)

    def swapped(self, pieces: dict[str, str]) -> Parts:
        """A copy with these pages' pieces in place of theirs (pages without a piece here are ignored)."""
        parts = list(self.parts)
        for key, piece in pieces.items():
            at = self.slots.get(key)
            if at is not None:
                parts[at] = piece
        return Parts(parts, self.slots)


def _listed(items: Sequence[tuple[str | None, str]], sep: str = "", head: str = "", tail: str = "") -> Parts:
    """Parts of head + sep.join(texts) + tail, with a slot for each item that names a page."""
    out = Parts([head] if head else [])
    for n, (key, text) in enumerate(items):
        if n and sep:
            out.parts.append(sep)
        if key is not None:
            out.slots[key] = len(out.parts)
        out.parts.append(text)
    if tail:
        out.parts.append(tail)
    return out


def alternates(index: SiteIndex, entry: Entry) -> list[tuple[str, str]]:
    """(hreflang, absolute URL) for every language variant, plus x-default; [] for a lone page."""
    variants = index.variants.get(entry.page.canonical_slug or entry.page.slug, [])
    if len(variants) < 2 or not any(v is entry for v in variants):
        return []
    out = [(v.page.language, index.absolute(v.path)) for v in variants]
    default = next((v for v in variants if v.page.language == index.config.default_locale), None)
    if default is not None:
        out.append(("x-default", index.absolute(default.path)))
    return out


def sitemap_row(index: SiteIndex, e: Entry) -> str:
    alts = "".join(
        f'<xhtml:link rel="alternate" hreflang={quoteattr(lang)} href={quoteattr(url)}/>'
        for lang, url in alternates(index, e)
    )
    lastmod = e.page.updated_at.date().isoformat()
    return f"<url><loc>{escape(index.absolute(e.path))}</loc><lastmod>{lastmod}</lastmod>{alts}</url>\n"


def sitemaps(index: SiteIndex, row: Piece | None = None) -> dict[str, Parts]:
    """sitemap.xml, or (past the protocol's limit) a sitemap index plus numbered parts."""
    rows = [(e.html_file, row(e) if row is not None else sitemap_row(index, e)) for e in index.entries]
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
    )
    if len(rows) <= SITEMAP_MAX_URLS:
        return {"sitemap.xml": _listed(rows, head=head, tail="</urlset>\n")}
    files: dict[str, Parts] = {}
    parts = []
    for n in range(0, len(rows), SITEMAP_MAX_URLS):
        name = f"sitemap-{n // SITEMAP_MAX_URLS + 1}.xml"
        files[name] = _listed(rows[n : n + SITEMAP_MAX_URLS], head=head, tail="</urlset>\n")
        parts.append(f"<sitemap><loc>{escape(index.absolute(name))}</loc></sitemap>\n")
    files["sitemap.xml"] = Parts(
        [
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + "".join(parts)
            + "</sitemapindex>\n"
        ]
    )
    return files


def robots(index: SiteIndex) -> str:
    return f"User-agent: *\nAllow: /\n\nSitemap: {index.absolute('sitemap.xml')}\n"


def _md_link_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]").replace("\n", " ")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def llms_item(index: SiteIndex, e: Entry) -> str:
    url = index.absolute(e.md_file or e.path)
    desc = _one_line(e.page.description)
    return f"- [{_md_link_text(e.page.title)}]({url})" + (f": {desc}" if desc else "")


def llms_txt(
    index: SiteIndex, nav: LocaleNav, other_locales: list[tuple[str, str]], item: Piece | None = None
) -> Parts:
    """llmstxt.org format for one locale: knowledge pages only, grouped like the sidebar."""
    config = index.config
    knowledge = [e for e in index.entries if e.page.language == nav.locale and e.md_file]
    home = index.by_path.get(nav.home) if nav.home in index.by_path else None
    summary = (home.page.description if home is not None and home.page.description else "") or (
        f"Documentation and knowledge base of {config.project_name}."
    )
    lines: list[tuple[str | None, str]] = [
        (None, f"# {_one_line(config.project_name)}"),
        (None, ""),
        (None, f"> {_one_line(summary)}"),
        (None, ""),
    ]
    listed: set[str] = set()

    def listing(e: Entry) -> tuple[str | None, str]:
        listed.add(e.html_file)
        return e.html_file, item(e) if item is not None else llms_item(index, e)

    for group in nav.groups:
        items = [listing(e) for e in group.entries if e.md_file and e.html_file not in listed]
        if items:
            lines += [(None, f"## {_one_line(group.label)}"), (None, ""), *items, (None, "")]
    rest = [listing(e) for e in knowledge if e.html_file not in listed]
    if rest:
        lines += [(None, "## Pages"), (None, ""), *rest, (None, "")]
    if other_locales:
        lines += [(None, "## Other languages"), (None, "")]
        lines += [(None, f"- [{lang}]({url})") for lang, url in other_locales]
        lines.append((None, ""))
    return _listed(lines, sep="\n")


_HEADING_FIRST = re.compile(r"\s*# ")  # the text starts with its own title


def _title_block(page: SitePage) -> str:
    """What a page's Markdown copy puts before its text: its title and description, unless the text starts
    with a heading of its own."""
    if _HEADING_FIRST.match(page.content):
        return ""
    desc = f"> {_one_line(page.description)}\n\n" if page.description else ""
    return f"# {_one_line(page.title)}\n\n{desc}"


def markdown_copy(entry: Entry) -> str:
    return _title_block(entry.page) + entry.page.content.strip("\n") + "\n"


def llms_section_head(index: SiteIndex, e: Entry) -> str:
    """A page's section of llms-full.txt up to its text: its address, then its Markdown copy's start."""
    return f"\n<!-- {index.absolute(e.path)} -->\n\n{_title_block(e.page)}"


def llms_full(index: SiteIndex, locale: str, head: Piece) -> bytes:
    """Made from the pages each time it changes, not as `Parts`: its sections are the pages' whole texts
    again, and keeping them between builds would hold every text twice (the pages hold it already). Only
    the small start of each section (``head``, see ``llms_section_head``) is kept."""
    out = [f"# {_one_line(index.config.project_name)}\n"]
    for e in index.entries:
        if e.page.language == locale and e.md_file:
            out.append(head(e))
            text = e.page.content
            if text[:1] != "\n" and text[-1:] == "\n" and text[-2:-1] != "\n":
                out.append(text)  # already as the copy has it: no copy of it made here
            else:
                out += (text.strip("\n"), "\n")
    return "".join(out).encode()


def search_row(e: Entry, excerpt: str) -> str:
    row = {"t": e.page.title, "d": e.page.description, "u": e.path, "x": excerpt}
    return json.dumps(row, ensure_ascii=False, separators=(",", ":"))


def search_index(index: SiteIndex, locale: str, row: Piece) -> Parts:
    """One compact JSON array per locale: {t: title, d: description, u: site path, x: excerpt}."""
    rows = [(e.html_file, row(e)) for e in index.entries if e.page.language == locale]
    return _listed(rows, sep=",", head="[", tail="]")
