from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from .types import JsonType, UTCDateTime


class Project(SQLModel, table=True):
    __tablename__ = "projects"

    id: str = Field(primary_key=True)
    account_id: str = Field(foreign_key="accounts.id", index=True, ondelete="CASCADE")
    name: str
    slug: str = Field(unique=True, index=True)
    default_locale: str
    project_template_id: str
    modules: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JsonType, nullable=False))
    plan: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JsonType, nullable=False))
    settings: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JsonType, nullable=False))
    doc_template_ids: list[str] = Field(default_factory=list, sa_column=Column(JsonType, nullable=False))
    # Working theme and navigation vs. what the last publish deployed: the difference is "pending".
    theme: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JsonType, nullable=False))
    published_theme: dict[str, Any] | None = Field(default=None, sa_column=Column(JsonType, nullable=True))
    published_nav: dict[str, Any] | None = Field(default=None, sa_column=Column(JsonType, nullable=True))
    # Moves on every image upload and deletion: a publish learns from it alone whether its images changed.
    image_generation: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Member(SQLModel, table=True):
    __tablename__ = "members"

    project_id: str = Field(foreign_key="projects.id", primary_key=True, ondelete="CASCADE")
    user_id: str = Field(foreign_key="users.id", primary_key=True, index=True, ondelete="CASCADE")
    role: str
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Domain(SQLModel, table=True):
    __tablename__ = "domains"

    id: str = Field(primary_key=True)
    project_id: str = Field(foreign_key="projects.id", index=True, ondelete="CASCADE")
    hostname: str = Field(unique=True)
    verification_token: str
    verified: bool = False
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_keys"
    __table_args__ = (UniqueConstraint("key_hash"),)

    id: str = Field(primary_key=True)
    project_id: str = Field(foreign_key="projects.id", index=True, ondelete="CASCADE")
    name: str
    prefix: str
    key_hash: str
    role: str
    created_by: str | None = None
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    last_used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
