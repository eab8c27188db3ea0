"""The per-build facts every page needs (index, navigation, asset names, the shared-input hash).

Built once in the builder and again in each pool worker, from the same inputs, so both sides
agree on every URL and hash without shipping the objects between processes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from .model import SiteConfig, SitePage
from .nav import locale_nav
from .render import Shared
from .theme import build_css, content_name, dark_mode, safe_url
from .urls import build_index

# Bump when the builder's output changes for the same inputs in a way templates do not show.
BUILDER_VERSION = "2"


@lru_cache(maxsize=1)
def package_digest() -> str:
    """Hash of templates and assets: editing a template must re-render every page."""
    h = hashlib.sha256(BUILDER_VERSION.encode())
    base = resources.files(__package__)
    for folder in ("templates", "assets"):
        for item in sorted((base / folder).iterdir(), key=lambda p: p.name):
            if item.is_file() and not item.name.endswith(".woff2"):
                h.update(item.name.encode())
                h.update(item.read_bytes())
    return h.hexdigest()


def asset(name: str) -> bytes:
    return (resources.files(__package__) / "assets" / name).read_bytes()


def _hash(data: Any) -> str:
    blob = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


@dataclass
class Assets:
    css_name: str
    css: bytes
    js_name: str
    js: bytes


def make_shared(config: SiteConfig, pages: list[SitePage]) -> tuple[Shared, Assets]:
    index = build_index(config, pages)
    theme = config.theme or {}
    css = build_css(theme).encode()
    js = asset("site.js")
    assets = Assets(
        "assets/" + content_name("site", css, "css"), css, "assets/" + content_name("site", js, "js"), js
    )
    groups = [[g.get("id"), g.get("title"), g.get("icon")] for g in config.sidebar_groups]
    # Group membership (page_slugs) is deliberately absent: what a page shows of its group is in
    # its own hash, so adding a page to a group does not re-render the whole site.
    shared_hash = _hash(
        [
            package_digest(),
            config.project_name,
            config.project_slug,
            index.base_url,
            config.default_locale,
            sorted(config.locales),
            theme,
            config.header_nav,
            groups,
            assets.css_name,
            assets.js_name,
            config.mcp,
        ]
    )
    languages = sorted({e.page.language for e in index.entries} | set(config.locales))
    navs = {lang: locale_nav(index, lang) for lang in languages}
    shared = Shared(
        index=index,
        navs=navs,
        nav_hashes={lang: _hash(nav.fingerprint()) for lang, nav in navs.items()},
        shared_hash=shared_hash,
        css=assets.css_name,
        js=assets.js_name,
        logo=safe_url(theme.get("logo_url")),
        favicon=safe_url(theme.get("favicon_url")),
        toggle=dark_mode(theme) == "auto",
    )
    return shared, assets
