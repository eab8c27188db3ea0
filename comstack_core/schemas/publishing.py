from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import ConfigDict, Field
from pydantic.dataclasses import dataclass

from .base import NAME_ECHO_DOC, Input, View


class PublishRequest(Input):
    project_name: str = Field(description=NAME_ECHO_DOC)


class PublishConfirm(Input):
    project_name: str = Field(description=NAME_ECHO_DOC)
    confirmation_token: str = Field(description="The token from the publish dry run (single use, valid until its expires_at).")


class PublishRevert(Input):
    project_name: str = Field(description=NAME_ECHO_DOC)


# A slotted dataclass, not a model: a first publish of a large site lists every page, and a model's instance
# dict and set of set fields cost about 1.2 kB a page beside its strings (60 MB at 50,000 pages, held twice
# by the server during a dry run); a slotted instance costs about 0.1 kB. The schema and the JSON are the same.
@dataclass(slots=True, config=ConfigDict(from_attributes=True))
class ManifestPage:
    path: str
    slug: str
    language: str
    title: str
    description: str
    is_new: bool
    change_type: Literal["new", "updated", "removed"]
    bytes: int
    url: Annotated[str | None, Field(description="Public URL; null for internal-audience pages (never on the site).")]
    audience: str


class NavChange(View):
    before: int = Field(description="Entries on the published site.")
    after: int = Field(description="Entries after this publish.")


class PlannedTranslation(View):
    source_path: str
    slug: str
    language: str = Field(description="The locale the page will be translated into.")
    provider: str = Field(description="'tasks' (the assistant translates) or 'http' (a service, in this publish).")


class ManifestFinding(View):
    slug: str
    language: str
    rule: str
    message: str


class ManifestLint(View):
    warnings: int
    pages_with_warnings: int
    findings: list[ManifestFinding] = Field(description="The first findings (warnings never block a publish).")


class Manifest(View):
    project_name: str
    target_site_url: str
    pages: list[ManifestPage]
    theme_changes: list[str]
    nav_changes: dict[Literal["sidebar_groups", "header_nav_items"], NavChange] = Field(
        description="Only the parts of the navigation that change."
    )
    translations_planned: list[PlannedTranslation]
    lint: ManifestLint


class PublishDryRun(View):
    manifest: Manifest
    confirmation_token: str = Field(description="Pass to publish-confirm after the user said yes.")
    expires_at: datetime


class PublishStarted(View):
    publish_id: str
    status: Literal["running"]
    site_url: str


class PublishStep(StrEnum):
    """The last step a publish job finished; a job resumed after a crash goes on from here."""

    queued = "queued"
    promoted = "promoted"
    translated = "translated"
    deployed = "deployed"


class ProgressStage(StrEnum):
    """What the job is doing now (or how it ended), for a progress display."""

    queued = "queued"
    promoting = "promoting"
    translating = "translating"
    building = "building"
    checking = "checking"
    done = "done"
    failed = "failed"


class PublishProgress(View):
    step: ProgressStage
    done: int = Field(default=0, description="Pages handled so far in this stage.")
    total: int = Field(default=0, description="Pages this stage handles (0 while unknown).")


class PublishCounts(View):
    """What the job did, filled in as its steps finish (null until the step that counts it has run)."""

    promoted: int | None = Field(default=None, description="Drafts made live.")
    translation_tasks: int | None = Field(default=None, description="Translation tasks opened.")
    pages: int | None = Field(default=None, description="Pages on the deployed site.")
    rendered: int | None = Field(default=None, description="Pages rendered by this build (unchanged ones are kept).")
    files_written: int | None = None
    files_removed: int | None = None
    bytes: int | None = Field(default=None, description="Size of the deployed site.")
    full_rebuild: bool | None = None
    gate: Literal["full", "changed files"] | None = Field(
        default=None, description="What the pre-deploy check covered."
    )


class PublishStatus(View):
    publish_id: str
    project_id: str
    status: Literal["running", "succeeded", "failed", "reverted"]
    step: PublishStep
    progress: PublishProgress
    counts: PublishCounts
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
    task_id: str = Field(description="The task's id, e.g. 'trt_...' (from list-translation-tasks).")
    title: str = Field(min_length=1, max_length=300, description="The translated title (1-300 characters).")
    description: str = Field(default="", description="The translated one-line description.")
    content: str | None = Field(default=None, description="Translated Markdown (knowledge pages).")
    strings: dict[str, str] | None = Field(default=None, description="Translated strings (custom pages).")
