from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from .types import JsonType, UTCDateTime


class Page(SQLModel, table=True):
    """A page's identity and state. Its content lives in revisions: ``live_revision_id`` is what the
    site shows, ``draft_revision_id`` the one pending draft (if any)."""

    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("project_id", "language", "slug"),)

    id: str = Field(primary_key=True)  # the stable ``path`` id
    project_id: str = Field(foreign_key="projects.id", index=True, ondelete="CASCADE")
    slug: str
    language: str
    doc_template_id: str
    page_type: str
    audience: str = "public"
    status: str = "draft"
    canonical_slug: str
    translation_of: str | None = None
    source_hash: str | None = None
    publish_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    version: int = 1
    live_revision_id: str | None = None
    live_hash: str | None = None  # content hash of the live revision (translation freshness)
    draft_revision_id: str | None = None
    draft_approved: bool = False
    unpublished: bool = False  # taken down by a manager; removed from the site at the next publish
    on_site: bool = False  # set by publishing: the page is in the deployed site
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    created_by: str | None = None
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_by: str | None = None


class PageRevision(SQLModel, table=True):
    __tablename__ = "page_revisions"
    __table_args__ = (UniqueConstraint("page_id", "number"),)

    id: str = Field(primary_key=True)
    page_id: str = Field(foreign_key="pages.id", index=True, ondelete="CASCADE")
    number: int
    title: str
    description: str = ""
    content: str = Field(default="", sa_column=Column(Text, nullable=False))
    body_source: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    body_format: str | None = None
    page_metadata: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column("metadata", JsonType, nullable=False)
    )
    translatable_strings: dict[str, str] | None = Field(
        default=None, sa_column=Column(JsonType, nullable=True)
    )
    content_hash: str = ""
    published: bool = False
    note: str = ""
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    created_by: str | None = None
