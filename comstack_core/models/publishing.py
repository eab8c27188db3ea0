from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from .types import JsonType, UTCDateTime


class PublishToken(SQLModel, table=True):
    """A dry run's confirmation token: stored as SHA-256, single use, bound to project and manifest."""

    __tablename__ = "publish_tokens"

    token_hash: str = Field(primary_key=True)
    project_id: str = Field(foreign_key="projects.id", index=True, ondelete="CASCADE")
    manifest_hash: str
    # The manifest's pages as {path, change_type}: what a drift is described by (the hash binds the rest).
    manifest: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JsonType, nullable=False))
    created_by: str | None = None
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class Publish(SQLModel, table=True):
    """One confirmed publish and its durable job state (the runner resumes it after a crash)."""

    __tablename__ = "publishes"

    id: str = Field(primary_key=True)
    project_id: str = Field(foreign_key="projects.id", index=True, ondelete="CASCADE")
    status: str = "running"  # running | succeeded | failed | reverted
    step: str = "queued"  # queued | promoted | translated | built | deployed
    actor_kind: str
    actor_id: str | None = None
    door: str
    manifest: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JsonType, nullable=False))
    # The manifest's target_site_url (the URL the dry run showed and the build uses), on its own: status
    # polls read it, and taking it out of a manifest of thousands of pages parsed the whole document.
    site_url: str | None = None
    progress: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JsonType, nullable=False))
    counts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JsonType, nullable=False))
    timings: dict[str, float] = Field(default_factory=dict, sa_column=Column(JsonType, nullable=False))
    # What promotion changed is in PublishPromotion, a row per page.
    # page id -> {slug, language, url} of every page in the deployed site after this publish.
    deployed: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JsonType, nullable=False))
    build_dir: str | None = None
    previous_build_dir: str | None = None
    previous_theme: dict[str, Any] | None = Field(default=None, sa_column=Column(JsonType, nullable=True))
    previous_nav: dict[str, Any] | None = Field(default=None, sa_column=Column(JsonType, nullable=True))
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    claimed_by: str | None = None
    heartbeat_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    started_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    finished_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    reverted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class PublishPromotion(SQLModel, table=True):
    """What a publish's promotion changed on one page, so a failure or a revert can put it back. Written
    with the batch that made the page live: a row per page, where a record of the whole publish rewritten by
    every batch grew with the square of the site."""

    __tablename__ = "publish_promotions"

    publish_id: str = Field(foreign_key="publishes.id", primary_key=True, ondelete="CASCADE")
    page_id: str = Field(primary_key=True)  # no key to pages: the record outlives a page deleted since
    previous_live: str | None = None
    previous_hash: str | None = None
    previous_unpublished: bool = False
    new_live: str


class TranslationTask(SQLModel, table=True):
    """A page to translate into one locale, opened by a publish (default 'tasks' provider)."""

    __tablename__ = "translation_tasks"

    id: str = Field(primary_key=True)
    project_id: str = Field(foreign_key="projects.id", index=True, ondelete="CASCADE")
    source_page_id: str = Field(foreign_key="pages.id", index=True, ondelete="CASCADE")
    target_language: str
    source_hash: str
    status: str = "open"  # open | done | superseded | stale (its source is no longer live at that version)
    publish_id: str | None = None
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    completed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    completed_by: str | None = None
    result_page_id: str | None = None
