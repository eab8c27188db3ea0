from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from .base import Input, View


class KeyCreate(Input):
    name: str = Field(default="API key", min_length=1, max_length=100)
    role: Literal["viewer", "editor", "manager"] = "editor"
    expires_at: datetime | None = Field(default=None, description="Optional expiry (ISO 8601, UTC).")


class KeyView(View):
    id: str
    project_id: str
    name: str
    prefix: str
    role: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class KeyCreated(KeyView):
    key: str = Field(description="The raw key. Shown once: store it now.")
