from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from .types import UTCDateTime


class Feedback(SQLModel, table=True):
    """Feedback about the product itself, for the installation's operators (not for a project's team).

    ``project_id`` is a plain reference, not a foreign key: the report stays readable after the project
    it mentions is deleted.
    """

    __tablename__ = "feedback"
    # The per-actor daily cap counts an actor's recent rows on every report.
    __table_args__ = (Index("ix_feedback_actor", "actor_kind", "actor_id", "created_at"),)

    id: str = Field(primary_key=True)
    kind: str  # bug | confusing | missing | praise | other
    message: str = Field(sa_column=Column(Text, nullable=False))
    tool: str | None = None
    project_id: str | None = None
    actor_kind: str  # user | key | system
    actor_id: str | None = None
    door: str  # mcp | rest | cli | script
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
