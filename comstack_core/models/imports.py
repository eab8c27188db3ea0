from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from .types import UTCDateTime


class ImportSource(SQLModel, table=True):
    """The file an imported page came from, and what the import wrote from it.

    The next import of the tree compares against these rows: an unchanged file writes nothing, a
    changed one a new draft, and a row whose file is gone is reported as removed.
    """

    __tablename__ = "import_sources"
    __table_args__ = (UniqueConstraint("project_id", "source_path"),)

    page_id: str = Field(primary_key=True, foreign_key="pages.id", ondelete="CASCADE")
    project_id: str = Field(foreign_key="projects.id", index=True, ondelete="CASCADE")
    source_path: str  # relative to the imported tree's root, '/'-separated
    source_hash: str  # sha256 of the file's bytes
    content_hash: str  # the import plan's hash of what it wrote (title, description, content, metadata)
    origin: str  # cli | archive | git
    imported_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class GitConnection(SQLModel, table=True):
    """A project's repository for git sync. ``token`` and ``webhook_secret`` are never shown again."""

    __tablename__ = "git_connections"

    project_id: str = Field(primary_key=True, foreign_key="projects.id", ondelete="CASCADE")
    url: str
    branch: str
    folder: str = ""
    token: str | None = None
    webhook_secret: str | None = None
    auto_publish: bool = False  # a verified push also confirms the publish
    last_commit: str | None = None
    last_pull_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_by: str | None = None
