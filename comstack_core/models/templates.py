from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from .types import JsonType, UTCDateTime


class DocTemplate(SQLModel, table=True):
    __tablename__ = "doc_templates"

    id: str = Field(primary_key=True)
    name: str
    description: str = ""
    card_template_id: str = "default"
    schema_org_type: str = "Article"
    slug_instructions: str = ""
    fields: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JsonType, nullable=False))
    builtin: bool = False
    deleted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class ProjectTemplate(SQLModel, table=True):
    __tablename__ = "project_templates"

    id: str = Field(primary_key=True)
    name: str
    description: str = ""
    doc_template_ids: list[str] = Field(default_factory=list, sa_column=Column(JsonType, nullable=False))
    module_ids: list[str] = Field(default_factory=list, sa_column=Column(JsonType, nullable=False))
    default_modules: list[str] = Field(default_factory=list, sa_column=Column(JsonType, nullable=False))
    quotas: dict[str, dict[str, int]] = Field(
        default_factory=dict, sa_column=Column(JsonType, nullable=False)
    )
    trial_days: int = 14
    builtin: bool = False
    deleted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
