from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from .types import JsonType, UTCDateTime


class Image(SQLModel, table=True):
    """An uploaded image of a project. The bytes live in the blob store under ``sha256``; one project
    holds a given content once (the same bytes uploaded again answer this row)."""

    __tablename__ = "images"
    __table_args__ = (
        UniqueConstraint("project_id", "sha256", name="uq_images_project_sha256"),
        # Newest first, per project: the listing's order.
        Index("ix_images_project_created", "project_id", "created_at"),
        Index("ix_images_sha256", "sha256"),
    )

    id: str = Field(primary_key=True)
    project_id: str = Field(foreign_key="projects.id", ondelete="CASCADE")
    sha256: str
    format: str  # png | jpeg | gif | webp | svg
    width: int
    height: int
    bytes: int
    frames: int = 1
    alt: str = Field(default="", sa_column=Column(Text, nullable=False))
    # srcset variants once made: [[width, height, sha256, bytes], ...], smallest first; null = not yet.
    variants: list[Any] | None = Field(default=None, sa_column=Column(JsonType, nullable=True))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    created_by: str | None = None
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
