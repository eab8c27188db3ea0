from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from .types import UTCDateTime


class Capture(SQLModel, table=True):
    """A web page as the user's browser sent it, kept until it is deleted: one per normalized URL in a
    project (capturing the same page again updates this row), remembering the page it became."""

    __tablename__ = "captures"
    __table_args__ = (
        UniqueConstraint("project_id", "normalized_url", name="uq_captures_project_url"),
        Index("ix_captures_page", "page_id"),
    )

    id: str = Field(primary_key=True)
    project_id: str = Field(foreign_key="projects.id", ondelete="CASCADE")
    url: str = Field(sa_column=Column(Text, nullable=False))
    normalized_url: str
    canonical_url: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    title: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    html: str = Field(sa_column=Column(Text, nullable=False))
    html_sha256: str
    html_bytes: int
    # The page the last save made or updated; a deleted page leaves the capture without one.
    page_id: str | None = Field(default=None, foreign_key="pages.id", ondelete="SET NULL")
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    created_by: str | None = None
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_by: str | None = None
