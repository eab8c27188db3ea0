"""Live voice: sessions (browser and phone), their transcript turns, the daily session counter and the
phone numbers that lead to a project."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from .types import JsonType, UTCDateTime


class LiveSession(SQLModel, table=True):
    __tablename__ = "live_sessions"
    __table_args__ = (Index("ix_live_sessions_project_started", "project_id", "started_at"),)

    id: str = Field(primary_key=True)
    project_id: str = Field(foreign_key="projects.id", ondelete="CASCADE")
    channel: str  # web | phone
    actor_kind: str  # user | key | system | phone
    actor_id: str | None = None  # user or key id; the called number for phone calls
    caller: str | None = None  # phone: the caller's number (``From``)
    call_sid: str | None = Field(default=None, unique=True)  # phone: Twilio's CallSid
    language: str
    provider: str
    token_hash: str  # the session token is only ever stored hashed
    started_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    last_active_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    ended_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    # Kept with every appended turn so listings need no scan of the turns.
    turn_count: int = 0
    question_count: int = 0
    unanswered_count: int = 0
    tools_called: list[str] = Field(default_factory=list, sa_column=Column(JsonType, nullable=False))


class LiveTurn(SQLModel, table=True):
    __tablename__ = "live_turns"

    session_id: str = Field(foreign_key="live_sessions.id", primary_key=True, ondelete="CASCADE")
    seq: int = Field(primary_key=True)  # 1, 2, … in the order the turns happened
    kind: str  # greeting | question | tool | transfer | goodbye | silence
    heard: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    said: str = Field(sa_column=Column(Text, nullable=False))
    language: str
    tool: str | None = None
    arguments: dict[str, Any] | None = Field(default=None, sa_column=Column(JsonType, nullable=True))
    answered: bool | None = None
    source_path: str | None = None
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class LiveUsage(SQLModel, table=True):
    """Sessions started per project, actor and UTC day: the ``max_sessions_per_day`` meter, counted with
    one conditional upsert so parallel starts can never pass the limit."""

    __tablename__ = "live_usage"

    project_id: str = Field(foreign_key="projects.id", primary_key=True, ondelete="CASCADE")
    actor_kind: str = Field(primary_key=True)
    actor_id: str = Field(primary_key=True)
    day: date = Field(primary_key=True)
    count: int = 0


class LivePhoneNumber(SQLModel, table=True):
    """A called number and the project whose ``voice_phone`` module lists it (one project per number)."""

    __tablename__ = "live_phone_numbers"

    number: str = Field(primary_key=True)  # E.164
    project_id: str = Field(foreign_key="projects.id", index=True, ondelete="CASCADE")
