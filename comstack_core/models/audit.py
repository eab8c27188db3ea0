from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from .types import JsonType, UTCDateTime


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_log"

    id: str = Field(primary_key=True)
    project_id: str | None = Field(default=None, index=True)
    actor_kind: str  # user | key | system
    actor_id: str | None = None
    door: str  # mcp | rest | cli | script
    action: str
    target_ids: list[str] = Field(default_factory=list, sa_column=Column(JsonType, nullable=False))
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JsonType, nullable=False))
    error_code: str | None = None
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
