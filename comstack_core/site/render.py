"""One page -> its HTML (and Markdown copy), plus the fingerprint of everything that went into it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, Template
from markupsafe import Markup

from . import chrome
from .custom import render_custom
from .indexes import alternates, markdown_copy
from .markdown import CALLOUTS, MarkdownRenderer
from .nav import LocaleNav, Sidebar, cards_fingerprint, neighbours, sidebar_for
from .search import page_terms
from .seo import json_ld, og_locale, script_json
from .urls import Entry, SiteIndex, rel

TOC_MIN = 2  # a page with fewer listed headings shows no table of contents
# The shell's words the site script uses (copy buttons, theme toggle, search messages).
_JS_STRINGS = (
    "copy", "copied", "copy_code", "theme", "theme_system", "theme_light", "theme_dark",
    "no_results", "no_results_hint", "recent", "n_results", "one_result",
)  # fmt: skip


@lru_cache(maxsize=1)
def _ui() -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = json.loads(
        (resources.files(__package__) / "templates" / "ui.json").read_text("utf-8")
    )
    return data


def ui_strings(lang: str) -> dict[str, str]:
    """The shell's own words (skip link, search label...) in the page's language, else English."""
    ui = _ui()
    return ui.get(lang.split("-")[0].lower(), ui["en"])


@lru_cache(maxsize=32)
def _js_strings(lang: str) -> str:
    t = ui_strings(lang)
    return json.dumps({k: t[k] for k in _JS_STRINGS}, ensure_ascii=False, separators=(",", ":"))


def long_date(day: date, lang: str) -> str:
    """A date as the page's language writes it ("March 1, 2025", "1 de marzo de 2025")."""
    t = ui_strings(lang)
    month = t["months"].split()[day.month - 1]
    return t["date"].format(day=day.day, month=month, year=day.year)


@lru_cache(maxsize=32)
def callout_titles(lang: str) -> dict[str, str]:
    t = ui_strings(lang)
    return {kind: t[kind] for kind in set(CALLOUTS.values())}


@lru_cache(maxsize=1)
def environment() -> Environment:
    # Built once per process: template compilation is the expensive part of Jinja.
    return Environment(
        loader=PackageLoader("comstack_core.site", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # package files do not change under a running build
    )


@lru_cache(maxsize=8)
def template(name: str) -> Template:
    return environment().get_template(name)


@dataclass
class Shared:
    """Per-build facts every page needs; built once, read-only while pages render."""

    index: SiteIndex
    navs: dict[str, LocaleNav]
    nav_hashes: dict[str, str]  # locale -> hash of its navigation (a change renders the locale)
    shared_hash: str
    css: str  # 'assets/site.<hash>.css'
    js: str
    logo: str | None
    favicon: str | None
    toggle: bool  # the theme follows the system: readers get a light/dark/system toggle
    renderer: MarkdownRenderer = field(default_factory=MarkdownRenderer)


@dataclass
class PageOutput:
    files: dict[str, bytes]
    links: dict[str, str]
    excerpt: str
    toc: list[tuple[int, str, str]]
    terms: str


def _digest(data: Any) -> str:
    blob = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def context_hash(shared: Shared, entry: Entry) -> str:
    """Fingerprint of what the page shows of others: its sidebar window, previous/next pages, hreflang
    alternates and, on a home page, the group cards."""
    nav = shared.navs[entry.page.language]
    sidebar = sidebar_for(nav, entry)
    near = [None if e is None else [e.page.title, e.path] for e in neighbours(nav, entry)]
    data = [sidebar.fingerprint(), alternates(shared.index, entry), near]
    if entry.page.slug == "index":
        data.append(cards_fingerprint(nav))
    return _digest(data)


def _asset_url(url: str | None, root: str) -> str | None:
    if url is None or url.startswith(("https://", "http://", "/")):
        return url
    return root + url  # relative theme URLs are relative to the site root


def base_context(shared: Shared, lang: str, root: str, home: str, drawer: bool = True) -> dict[str, Any]:
    """What every page's shell needs; `drawer`: show the sidebar (a drawer on narrow screens)."""
    nav = shared.navs[lang]
    header_links = [
        {"label": h.label, "href": h.url or rel(root, h.path or ""), "external": h.url is not None}
        for h in nav.header
    ]
    return {
        "lang": lang,
        "root": root,
        "home": home,
        "css": shared.css,
        "js": shared.js,
        "logo": _asset_url(shared.logo, root),
        "favicon": _asset_url(shared.favicon, root),
        "project": shared.index.config.project_name,
        "header_links": header_links,
        "t": ui_strings(lang),
        "js_t": _js_strings(lang),
        "toggle": shared.toggle,
        "drawer": drawer and bool(nav.groups),
        "toc": [],
        "mcp_href": root + "mcp" if shared.index.config.mcp else None,
    }


def render_page(shared: Shared, entry: Entry, sidebar: Sidebar, alts: list[tuple[str, str]]) -> PageOutput:
    index = shared.index
    page = entry.page
    lang = page.language
    root = entry.root
    url = index.absolute(entry.path)
    t = ui_strings(lang)
    links: dict[str, str] = {}
    toc: list[tuple[int, str, str]] = []
    if page.is_custom:
        custom = render_custom(page.body_html or "", page.translatable_strings)
        body, excerpt, show_title = Markup(custom.html), custom.excerpt, not custom.has_h1
        sections = [custom.text]
    else:
        out = shared.renderer.render(
            page.content,
            page.title,
            lambda href: index.resolve_href(entry, href),
            callout_titles(lang),
            index.config.images,
        )
        body, excerpt, links, show_title = Markup(out.html), out.excerpt, out.links, True
        toc, sections = out.toc, out.sections
    nav = shared.navs[lang]
    home = page.slug == "index"
    ctx = base_context(shared, lang, root, rel(root, nav.home), drawer=not home)
    by_lang = {lang: u for lang, u in alts if lang != "x-default"}
    description = page.description or excerpt  # every page gets a meta description
    ctx.update(
        head_title=page.title if home else f"{page.title} · {index.config.project_name}",
        title=page.title,
        description=description,
        page_description=page.description if not page.is_custom else "",
        canonical=url,
        alternates=[{"hreflang": lang, "url": u} for lang, u in alts],
        languages=[
            {"lang": lang, "href": rel(root, u[len(index.base_url) :]), "current": lang == page.language}
            for lang, u in by_lang.items()
        ],
        md_href=rel(root, entry.md_file) if entry.md_file else None,
        og_type="website" if home or page.is_custom else "article",
        og_locale=og_locale(page.language),
        og_alternates=[og_locale(lang) for lang in by_lang if lang != page.language],
        json_ld=Markup(script_json(json_ld(page, url, index.config.project_name))),
        sidebar=sidebar,
        show_title=show_title,
        custom=page.is_custom,
        body=body,
        toc=toc if len(toc) >= TOC_MIN and not home else [],
        crumbs=chrome.crumbs(nav, entry, root, t),
        updated=None if home else page.updated_at.date(),
        updated_text=long_date(page.updated_at.date(), lang),
        hero=chrome.hero(nav, root, page.title, page.description, t) if home and not page.is_custom else None,
        cards=chrome.cards(nav, root, t) if home else [],
        **chrome.pager(nav, entry, root),
        **chrome.ask_links(index, entry, t),
        **chrome.connect_links(index),
    )
    files = {entry.html_file: template("page.html").render(ctx).encode()}
    if entry.md_file:
        files[entry.md_file] = markdown_copy(entry).encode()
    terms = page_terms(page.title, page.description, sections)
    return PageOutput(files=files, links=links, excerpt=excerpt, toc=toc, terms=terms)


def render_404(shared: Shared) -> bytes:
    index = shared.index
    lang = index.config.default_locale
    # Served for a missing URL at any depth, so links are root-absolute (the site's base path).
    root = index.base_path
    nav = shared.navs[lang]
    ctx = base_context(shared, lang, root, rel(root, nav.home))
    ctx.update(
        head_title=f"{ui_strings(lang)['not_found']} · {index.config.project_name}",
        description="",
        languages=[],
        sidebar=Sidebar(nav.groups, None, [], False, False, ""),
    )
    return template("404.html").render(ctx).encode()


def render_home(shared: Shared) -> bytes:
    """A plain home page for a site that has no 'index' page, so '/' and every logo link work."""
    index = shared.index
    lang = index.config.default_locale
    nav = shared.navs[lang]
    t = ui_strings(lang)
    ctx = base_context(shared, lang, "", "./", drawer=False)
    ctx.update(
        head_title=index.config.project_name,
        description=t["explore"] + " · " + index.config.project_name,
        canonical=index.base_url,
        languages=[],
        sidebar=Sidebar(nav.groups, None, [], False, False, ""),
        hero=chrome.hero(nav, "", index.config.project_name, "", t),
        cards=chrome.cards(nav, "", t),
    )
    return template("home.html").render(ctx).encode()
