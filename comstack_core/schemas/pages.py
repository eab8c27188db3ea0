from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, model_validator

from .base import NAME_ECHO_DOC, Input, View

SLUG_DOC = "Lowercase segments of a-z, 0-9, '-' joined by '/', e.g. 'guides/intro'; 'index' is the home page."


class PageRef(Input):
    """A page is addressed by its stable ``path`` id, or by ``slug`` + ``language``."""

    path: str | None = Field(default=None, description="The page's stable id (from list-pages).")
    slug: str | None = Field(default=None, description=SLUG_DOC)
    language: str | None = Field(
        default=None, description="BCP-47 tag; defaults to the project's default locale."
    )

    @model_validator(mode="after")
    def _one_handle(self) -> PageRef:
        if not self.path and not self.slug:
            raise ValueError("address the page by 'path', or by 'slug' (+ 'language')")
        return self


class PageCreate(Input):
    slug: str = Field(description=SLUG_DOC)
    language: str | None = Field(
        default=None, description="BCP-47 tag; defaults to the project's default locale."
    )
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=1000)
    content: str = Field(default="", description="Markdown body.")
    doc_template_id: str = Field(
        default="docs", description="Fixed at creation; see list-project-doc-templates."
    )
    metadata: dict[str, Any] = Field(default_factory=dict)
    audience: Literal["public", "internal"] = "public"
    publish_at: datetime | None = None


class PageUpdate(Input):
    """Changes to a page's draft; omitted fields keep their value, metadata is merged."""

    base_version: int = Field(description="The 'version' you read (get-page-content). Stale -> conflict.")
    title: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=1000)
    content: str | None = None
    metadata: dict[str, Any] | None = Field(
        default=None, description="Merged into existing metadata; null deletes a key."
    )
    publish_at: datetime | None = None


class DraftOpen(Input):
    slug: str = Field(description=SLUG_DOC)
    language: str | None = None


class DraftOpened(View):
    draft_id: str = Field(description="Pass to edit/save; 'new' when the page does not exist yet.")
    action: Literal["existing_draft", "cloned_from_live", "new"]
    doc: PageView | None
    template: dict[str, Any] | None
    base_version: int | None


class DraftSave(Input):
    draft_id: str = Field(description="From edit/open, or 'new'.")
    base_version: int | None = Field(default=None, description="Required unless draft_id is 'new'.")
    slug: str | None = Field(default=None, description="Required for 'new'.")
    language: str | None = None
    doc_template_id: str | None = Field(default=None, description="For 'new' only; default 'docs'.")
    title: str | None = None
    description: str | None = None
    content: str | None = None
    metadata: dict[str, Any] | None = None
    audience: Literal["public", "internal"] | None = None
    publish_at: datetime | None = None


class PageStatusUpdate(Input):
    status: Literal["ready", "draft", "unpublished"] = Field(
        description="'ready' approves the draft, 'draft' withdraws approval, 'unpublished' takes a live page down."
    )
    project_name: str = Field(description=NAME_ECHO_DOC)


class VisibilityUpdate(Input):
    audience: Literal["public", "internal"]


class CustomPageUpload(Input):
    project_name: str = Field(description=NAME_ECHO_DOC)
    slug: str = Field(description=SLUG_DOC)
    language: str | None = None
    title: str = Field(description="10-60 characters.")
    description: str = Field(description="At least 50 characters (160 or fewer recommended).")
    body: str = Field(description="The page body, HTML (or Astro). Ships as written inside the site shell.")
    body_format: Literal["html", "astro"] = "html"
    is_faq: bool = Field(
        default=False, description="True if this is FAQ content (refused: use a knowledge page)."
    )
    metadata: dict[str, Any] | None = None
    base_version: int | None = Field(
        default=None,
        description="Required when the page exists: the version you read (get-page-content); a stale one is "
        "refused (409). Leave it out to create a new page.",
    )


class LintFindingView(View):
    rule: str
    message: str


class PageView(View):
    path: str
    slug: str
    language: str
    title: str
    description: str
    content: str
    body_source: str | None
    body_format: str | None
    doc_template_id: str
    page_type: str
    metadata: dict[str, Any]
    audience: str
    status: str
    next_action: str
    variant: Literal["draft", "live"]
    has_draft: bool
    is_live: bool
    canonical_slug: str
    translation_of: str | None
    source_hash: str | None
    publish_at: datetime | None
    version: int
    created_at: datetime
    created_by: str | None
    updated_at: datetime
    updated_by: str | None


class PageSummary(View):
    path: str
    slug: str
    language: str
    title: str
    description: str
    page_type: str
    doc_template_id: str
    audience: str
    status: str
    next_action: str
    version: int
    updated_at: datetime


class PageFilter(Input):
    language: str | None = None
    status: Literal["draft", "ready", "live", "unpublished"] | None = None
    audience: Literal["public", "internal"] | None = None
    doc_template_id: str | None = None
    page_type: Literal["knowledge", "custom"] | None = None
    slug_prefix: str | None = None
    limit: int = Field(default=100, ge=1, le=1000)
    offset: int = Field(default=0, ge=0, le=2**31 - 1)  # bounded: past 64 bits the SQL drivers overflow


class PageList(View):
    total: int
    pages: list[PageSummary]


class PageSaved(View):
    page: PageView
    changed: bool = Field(description="False when the save changed nothing (no draft, no revision written).")
    lint_findings: list[LintFindingView] = []
    missing_required: list[str] = Field(default=[], description="Template fields to fill before approval.")


class CustomPageUploadResult(View):
    page: PageView
    changed: bool
    draft_url: str
    lint_findings: list[LintFindingView]
    translatable_strings: dict[str, str]


class RevisionView(View):
    id: str
    number: int
    title: str
    description: str
    note: str
    published: bool
    is_draft: bool
    is_live: bool
    created_at: datetime
    created_by: str | None


DraftOpened.model_rebuild()


class DraftDiscarded(View):
    path: str
    page_deleted: bool = Field(description="True when the page was never live and is gone with its draft.")
    version: int | None = Field(default=None, description="The page's new version; null when it was deleted.")
