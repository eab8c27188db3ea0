from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Input, View
from .pages import STATUS_DOC


class SearchQuery(Input):
    query: str = Field(min_length=1, max_length=500, description="Keywords to look for.")
    language: str | None = Field(
        default=None, description="Only pages in this BCP-47 locale, e.g. 'es-MX'; all locales when omitted."
    )
    audience: Literal["public", "internal"] | None = Field(
        default=None, description="Only 'public' (website) or only 'internal' pages."
    )
    status: Literal["draft", "ready", "live", "unpublished"] | None = Field(
        default=None, description=f"Only pages with this status: {STATUS_DOC}"
    )
    doc_template_id: str | None = Field(
        default=None, description="Only pages of this doc template, e.g. 'faq' (list-project-doc-templates)."
    )
    include_drafts: bool = Field(
        default=False, description="Search draft content too (every role may; live pages only by default)."
    )
    limit: int = Field(default=10, ge=1, le=50, description="How many hits to return, best first (1-50).")


class SearchHit(View):
    path: str
    slug: str
    language: str
    title: str
    description: str
    snippet: str
    variant: Literal["live", "draft"]
    status: str
    score: float


class SearchResult(View):
    query: str
    total: int
    hits: list[SearchHit]
