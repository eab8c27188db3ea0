"""One page -> its HTML (and Markdown copy), plus the fingerprint of everything that went into it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, Template
from markupsafe import Markup

from .custom import render_custom
from .indexes import alternates, markdown_copy
from .markdown import MarkdownRenderer
from .nav import LocaleNav, Sidebar, sidebar_for
from .seo import json_ld, og_locale, script_json
from .urls import Entry, SiteIndex, rel


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
    renderer: MarkdownRenderer = field(default_factory=MarkdownRenderer)


@dataclass
class PageOutput:
    files: dict[str, bytes]
    links: dict[str, str]
    excerpt: str


def _digest(data: Any) -> str:
    blob = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def context_hash(shared: Shared, entry: Entry) -> str:
    """Fingerprint of what the page shows of others: its sidebar window and hreflang alternates."""
    sidebar = sidebar_for(shared.navs[entry.page.language], entry)
    return _digest([sidebar.fingerprint(), alternates(shared.index, entry)])


def _asset_url(url: str | None, root: str) -> str | None:
    if url is None or url.startswith(("https://", "http://", "/")):
        return url
    return root + url  # relative theme URLs are relative to the site root


def base_context(shared: Shared, lang: str, root: str, home: str) -> dict[str, Any]:
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
    }


def render_page(shared: Shared, entry: Entry, sidebar: Sidebar, alts: list[tuple[str, str]]) -> PageOutput:
    index = shared.index
    page = entry.page
    root = entry.root
    url = index.absolute(entry.path)
    links: dict[str, str] = {}
    if page.is_custom:
        custom = render_custom(page.body_html or "", page.translatable_strings)
        body, excerpt, show_title = Markup(custom.html), custom.excerpt, not custom.has_h1
    else:
        out = shared.renderer.render(page.content, page.title, lambda href: index.resolve_href(entry, href))
        body, excerpt, links, show_title = Markup(out.html), out.excerpt, out.links, True
    nav = shared.navs[page.language]
    ctx = base_context(shared, page.language, root, rel(root, nav.home))
    by_lang = {lang: u for lang, u in alts if lang != "x-default"}
    ctx.update(
        head_title=page.title if page.slug == "index" else f"{page.title} · {index.config.project_name}",
        title=page.title,
        description=page.description,
        canonical=url,
        alternates=[{"hreflang": lang, "url": u} for lang, u in alts],
        languages=[
            {"lang": lang, "href": rel(root, u[len(index.base_url) :]), "current": lang == page.language}
            for lang, u in by_lang.items()
        ],
        md_href=rel(root, entry.md_file) if entry.md_file else None,
        og_type="website" if page.slug == "index" or page.is_custom else "article",
        og_locale=og_locale(page.language),
        og_alternates=[og_locale(lang) for lang in by_lang if lang != page.language],
        json_ld=Markup(script_json(json_ld(page, url, index.config.project_name))),
        sidebar=sidebar,
        show_title=show_title,
        custom=page.is_custom,
        body=body,
    )
    files = {entry.html_file: template("page.html").render(ctx).encode()}
    if entry.md_file:
        files[entry.md_file] = markdown_copy(entry).encode()
    return PageOutput(files=files, links=links, excerpt=excerpt)


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
    ctx = base_context(shared, lang, "", "./")
    ctx.update(
        head_title=index.config.project_name,
        description="",
        canonical=index.base_url,
        languages=[],
        sidebar=Sidebar(nav.groups, None, [], False, False, ""),
    )
    return template("home.html").render(ctx).encode()
