"""Site-wide files: sitemap.xml, robots.txt, llms.txt, llms-full.txt, the search index.

Each is produced from the page list and small per-page facts (no HTML), so they are rebuilt in
full every time at a cost linear in the page count.
"""

from __future__ import annotations

import json
from xml.sax.saxutils import escape, quoteattr

from .nav import LocaleNav
from .urls import Entry, SiteIndex

SITEMAP_MAX_URLS = 50_000  # the sitemap protocol's per-file limit


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


def sitemaps(index: SiteIndex) -> dict[str, str]:
    """sitemap.xml, or (past the protocol's limit) a sitemap index plus numbered parts."""
    rows = []
    for e in index.entries:
        alts = "".join(
            f'<xhtml:link rel="alternate" hreflang={quoteattr(lang)} href={quoteattr(url)}/>'
            for lang, url in alternates(index, e)
        )
        lastmod = e.page.updated_at.date().isoformat()
        rows.append(
            f"<url><loc>{escape(index.absolute(e.path))}</loc><lastmod>{lastmod}</lastmod>{alts}</url>\n"
        )
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
    )
    if len(rows) <= SITEMAP_MAX_URLS:
        return {"sitemap.xml": head + "".join(rows) + "</urlset>\n"}
    files: dict[str, str] = {}
    parts = []
    for n in range(0, len(rows), SITEMAP_MAX_URLS):
        name = f"sitemap-{n // SITEMAP_MAX_URLS + 1}.xml"
        files[name] = head + "".join(rows[n : n + SITEMAP_MAX_URLS]) + "</urlset>\n"
        parts.append(f"<sitemap><loc>{escape(index.absolute(name))}</loc></sitemap>\n")
    files["sitemap.xml"] = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "".join(parts)
        + "</sitemapindex>\n"
    )
    return files


def robots(index: SiteIndex) -> str:
    return f"User-agent: *\nAllow: /\n\nSitemap: {index.absolute('sitemap.xml')}\n"


def _md_link_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]").replace("\n", " ")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def llms_txt(index: SiteIndex, nav: LocaleNav, other_locales: list[tuple[str, str]]) -> str:
    """llmstxt.org format for one locale: knowledge pages only, grouped like the sidebar."""
    config = index.config
    knowledge = [e for e in index.entries if e.page.language == nav.locale and e.md_file]
    home = index.by_path.get(nav.home) if nav.home in index.by_path else None
    summary = (home.page.description if home is not None and home.page.description else "") or (
        f"Documentation and knowledge base of {config.project_name}."
    )
    lines = [f"# {_one_line(config.project_name)}", "", f"> {_one_line(summary)}", ""]
    listed: set[str] = set()

    def item(e: Entry) -> str:
        listed.add(e.html_file)
        url = index.absolute(e.md_file or e.path)
        desc = _one_line(e.page.description)
        return f"- [{_md_link_text(e.page.title)}]({url})" + (f": {desc}" if desc else "")

    for group in nav.groups:
        items = [item(e) for e in group.entries if e.md_file and e.html_file not in listed]
        if items:
            lines += [f"## {_one_line(group.label)}", "", *items, ""]
    rest = [item(e) for e in knowledge if e.html_file not in listed]
    if rest:
        lines += ["## Pages", "", *rest, ""]
    if other_locales:
        lines += ["## Other languages", ""]
        lines += [f"- [{lang}]({url})" for lang, url in other_locales]
        lines.append("")
    return "\n".join(lines)


def markdown_copy(entry: Entry) -> str:
    page = entry.page
    body = page.content.strip("\n")
    head = "" if body.lstrip().startswith("# ") else f"# {_one_line(page.title)}\n\n"
    desc = f"> {_one_line(page.description)}\n\n" if page.description and head else ""
    return f"{head}{desc}{body}\n"


def llms_full(index: SiteIndex, locale: str) -> str:
    parts = [f"# {_one_line(index.config.project_name)}\n"]
    for e in index.entries:
        if e.page.language == locale and e.md_file:
            parts.append(f"\n<!-- {index.absolute(e.path)} -->\n\n{markdown_copy(e)}")
    return "".join(parts)


def search_index(index: SiteIndex, locale: str, excerpts: dict[str, str]) -> str:
    """One compact JSON array per locale: {t: title, d: description, u: site path, x: excerpt}."""
    rows = [
        {"t": e.page.title, "d": e.page.description, "u": e.path, "x": excerpts.get(e.html_file, "")}
        for e in index.entries
        if e.page.language == locale
    ]
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
