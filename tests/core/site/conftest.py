from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from selectolax.lexbor import LexborHTMLParser

from comstack_core.site import SiteConfig, SitePage

BASE_URL = "http://127.0.0.1:8787/sites/acme/"


def _page(slug: str, language: str = "en", **kw: Any) -> SitePage:
    data: dict[str, Any] = {
        "id": f"{language}:{slug}",
        "slug": slug,
        "language": language,
        "title": f"Title of {slug}",
        "description": f"Description of {slug} for readers.",
        "page_type": "knowledge",
        "content": f"Body of {slug}.\n",
        "body_html": None,
        "translatable_strings": {},
        "canonical_slug": slug,
        "doc_template_id": "docs",
        "schema_org_type": "TechArticle",
        "schema_org_fields": {},
        "metadata": {},
        "updated_at": datetime(2025, 3, 1, 12, 0, tzinfo=UTC),
    }
    data.update(kw)
    return SitePage(**data)


def _config(**kw: Any) -> SiteConfig:
    data: dict[str, Any] = {
        "project_name": "Acme Docs",
        "project_slug": "acme",
        "base_url": BASE_URL,
        "default_locale": "en",
        "locales": ["en", "es-MX"],
        "theme": {},
        "sidebar_groups": [],
        "header_nav": [],
    }
    data.update(kw)
    return SiteConfig(**data)


@pytest.fixture
def make_page() -> Callable[..., SitePage]:
    return _page


@pytest.fixture
def make_config() -> Callable[..., SiteConfig]:
    return _config


@pytest.fixture
def html() -> Callable[[Path], LexborHTMLParser]:
    def parse(path: Path) -> LexborHTMLParser:
        return LexborHTMLParser(path.read_text("utf-8"))

    return parse
