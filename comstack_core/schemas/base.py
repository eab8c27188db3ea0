from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Input(BaseModel):
    """Inputs refuse unknown fields, so a misspelt argument is a clear 400, not silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class View(BaseModel):
    model_config = ConfigDict(from_attributes=True)


NAME_ECHO_DOC = (
    "The project's name exactly as stored (case-insensitive). Required for destructive operations as a "
    "safety check: ask the user or read it from get-project-state."
)
