from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, field_validator

from .base import Input, View

FeedbackKind = Literal["bug", "confusing", "missing", "praise", "other"]

MESSAGE_MAX = 4000
TOOL_MAX = 100


class FeedbackCreate(Input):
    kind: FeedbackKind = Field(
        description="bug: something broke or answered wrongly; confusing: a tool, argument or message was hard "
        "to understand; missing: a feature or tool you needed does not exist; praise: something worked well; "
        "other: anything else."
    )
    message: str = Field(
        min_length=1,
        max_length=MESSAGE_MAX,
        description="What happened and what you expected, in plain words (1-4000 characters). Leave out "
        "passwords, keys and personal data.",
    )
    tool: str | None = Field(
        default=None,
        max_length=TOOL_MAX,
        description="The tool or REST route the feedback is about, e.g. 'update-page' (optional).",
    )
    project_id: str | None = Field(
        default=None,
        min_length=1,
        description="The project the feedback concerns, if any (optional; it must be one you can read).",
    )

    @field_validator("message")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("the message is blank; say what happened and what you expected")
        return value

    @field_validator("tool")
    @classmethod
    def _one_line(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if any(ch in value for ch in "\r\n\t"):
            raise ValueError("the tool name must be one line, e.g. 'update-page'")
        return value or None


class FeedbackReceipt(View):
    id: str = Field(description="The stored feedback's id.")
    created_at: datetime
    thanks: str


class FeedbackFilter(Input):
    kind: FeedbackKind | None = None
    project_id: str | None = Field(default=None, description="Only feedback about this project.")
    limit: int = Field(default=100, ge=1, le=1000)
    offset: int = Field(default=0, ge=0, le=2**31 - 1)  # bounded: past 64 bits the SQL drivers overflow


class FeedbackView(View):
    id: str
    kind: str
    message: str
    tool: str | None
    project_id: str | None
    actor_kind: str
    actor_id: str | None
    actor_email: str | None = Field(default=None, description="The reporting user's email (users only).")
    door: str
    created_at: datetime


class FeedbackList(View):
    total: int
    feedback: list[FeedbackView] = Field(description="Newest first.")
