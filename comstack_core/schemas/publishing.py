from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from .base import NAME_ECHO_DOC, Input, View


class PublishRequest(Input):
    project_name: str = Field(description=NAME_ECHO_DOC)


class PublishConfirm(Input):
    project_name: str = Field(description=NAME_ECHO_DOC)
    confirmation_token: str = Field(description="The token from the publish dry run (single use, 5 minutes).")


class PublishRevert(Input):
    project_name: str = Field(description=NAME_ECHO_DOC)


class ManifestPage(View):
    path: str
    slug: str
    language: str
    title: str
    description: str
    is_new: bool
    change_type: Literal["new", "updated", "removed"]
    bytes: int
    url: str | None = Field(description="Public URL; null for internal-audience pages (never on the site).")
    audience: str


class Manifest(View):
    project_name: str
    target_site_url: str
    pages: list[ManifestPage]
    theme_changes: list[str]
    nav_changes: dict[str, Any]
    translations_planned: list[dict[str, str]]
    lint: dict[str, Any]


class PublishDryRun(View):
    manifest: Manifest
    confirmation_token: str = Field(description="Pass to publish-confirm after the user said yes.")
    expires_at: datetime


class PublishStarted(View):
    publish_id: str
    status: Literal["running"]
    site_url: str


class PublishStatus(View):
    publish_id: str
    project_id: str
    status: Literal["running", "succeeded", "failed", "reverted"]
    step: str
    progress: dict[str, Any]
    counts: dict[str, Any]
    timings: dict[str, float]
    error: str | None
    site_url: str
    actor_kind: str
    actor_id: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    reverted_at: datetime | None
    duration_seconds: float | None


class TranslationTaskView(View):
    id: str
    source_path: str
    source_slug: str
    source_language: str
    target_language: str
    page_type: str
    title: str
    description: str
    content: str = Field(description="Markdown to translate (knowledge pages).")
    strings: dict[str, str] = Field(description="Marked strings to translate (custom pages).")
    created_at: datetime


class TranslationSubmit(Input):
    task_id: str
    title: str = Field(min_length=1, max_length=300)
    description: str = ""
    content: str | None = Field(default=None, description="Translated Markdown (knowledge pages).")
    strings: dict[str, str] | None = Field(default=None, description="Translated strings (custom pages).")
