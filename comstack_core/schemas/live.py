"""Live voice: starting and resuming sessions, voice tool calls, and the transcripts managers read."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from .base import Input, View

Channel = Literal["web", "phone"]
SESSION_ID_DOC = "The voice session's id, e.g. 'lvs_...' (from list-voice-sessions)."


class SessionStart(Input):
    language: str | None = Field(
        default=None,
        max_length=35,
        description="BCP-47 language the caller speaks, e.g. 'en' or 'es-MX'. A language the project does not "
        "have falls back to its default locale. Default: the default locale.",
    )


class SessionResume(Input):
    session_id: str = Field(min_length=1, max_length=64, description=SESSION_ID_DOC)


class ToolCall(Input):
    session_id: str = Field(min_length=1, max_length=64, description=SESSION_ID_DOC)
    name: str = Field(min_length=1, max_length=64, description="search_knowledge, get_page or transfer_call.")
    arguments: dict[str, Any] = Field(
        default_factory=dict, description="The tool's arguments, as its declaration in 'tools' lists them."
    )


class ToolDeclaration(View):
    name: str
    description: str
    parameters: dict[str, Any] = Field(description="JSON Schema of the arguments.")


class SessionStarted(View):
    session_id: str
    token: str = Field(
        description="Ephemeral token (send as 'Authorization: Bearer <token>') for this session's tool calls "
        "and resume, and nothing else."
    )
    expires_at: datetime
    greeting: str
    voice: str
    instructions: str = Field(description="The system prompt for a voice model.")
    language: str
    channel: Channel
    tools: list[dict[str, Any]] = Field(
        description="The tools the voice model may call (name, description, parameters)."
    )
    provider: dict[str, Any] = Field(
        description="The realtime voice provider's side: name, its single-use connect_token (null for the "
        "embedded default), expires_at and what its client needs."
    )


class ToolCallResult(View):
    session_id: str
    name: str
    result: dict[str, Any] = Field(description="Always has 'speech': plain text to say.")


class VoiceSessionFilter(Input):
    channel: Channel | None = Field(default=None, description="Only browser ('web') or phone sessions.")
    unanswered: bool = Field(
        default=False, description="Only sessions with at least one question the knowledge did not answer."
    )
    limit: int = Field(
        default=50, ge=1, le=500, description="How many sessions to return, newest first (1-500)."
    )
    offset: int = Field(
        default=0,
        ge=0,
        le=2**31 - 1,
        description="How many sessions to skip first, for the next page of results.",
    )


class VoiceSessionSummary(View):
    id: str
    channel: str
    actor_kind: str = Field(description="user, key or phone.")
    actor_id: str | None = Field(description="The user or key id; for phone calls the number called.")
    caller: str | None = Field(description="Phone calls: the caller's number.")
    language: str
    provider: str
    started_at: datetime
    last_active_at: datetime
    ended_at: datetime | None
    turn_count: int
    question_count: int
    unanswered_count: int
    tools_called: list[str]


class VoiceSessionList(View):
    total: int
    sessions: list[VoiceSessionSummary] = Field(description="Newest first.")


class VoiceTurnView(View):
    seq: int
    kind: str = Field(description="greeting, question, tool, transfer, goodbye or silence.")
    heard: str | None = Field(description="What the caller said or asked.")
    said: str = Field(description="What the line or the tool said back.")
    language: str
    tool: str | None
    arguments: dict[str, Any] | None
    answered: bool | None = Field(description="Questions: whether the knowledge answered.")
    source_path: str | None = Field(description="The page an answer came from.")
    created_at: datetime


class VoiceSessionDetail(VoiceSessionSummary):
    turns: list[VoiceTurnView]
    unanswered_questions: list[str] = Field(
        description="What callers asked that nothing answered: candidates for new pages."
    )
