from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Input, View


class SearchQuery(Input):
    query: str = Field(min_length=1, max_length=500, description="Keywords to look for.")
    language: str | None = None
    audience: Literal["public", "internal"] | None = None
    status: Literal["draft", "ready", "live", "unpublished"] | None = None
    doc_template_id: str | None = None
    include_drafts: bool = Field(
        default=False, description="Search draft content too (every role may; live pages only by default)."
    )
    limit: int = Field(default=10, ge=1, le=50)


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
