from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, model_validator

from .base import NAME_ECHO_DOC, Input, View
from .images import PageImageView

SLUG_DOC = "Lowercase segments of a-z, 0-9, '-' joined by '/', e.g. 'guides/intro'; 'index' is the home page."
LANGUAGE_DOC = "BCP-47 tag such as 'en' or 'es-MX'; defaults to the project's default locale."
TITLE_DOC = "The page title, 1-300 characters of plain text."
DESCRIPTION_DOC = (
    "A one-line summary of the page (plain text, up to 1,000 characters; shown in search and cards)."
)
METADATA_DOC = (
    'Values for the doc template\'s fields as a JSON object, e.g. {"difficulty": "easy"}; each is checked '
    "against its field's type (list-project-doc-templates shows the fields)."
)
STATUS_DOC = (
    "'draft' (unapproved edits), 'ready' (approved, waiting for a publish), 'live' (published, nothing "
    "pending) or 'unpublished' (taken down)."
)
AUDIENCE_DOC = "'public' (on the website) or 'internal' (members and assistants only, never on the site)."
PUBLISH_AT_DOC = (
    "ISO 8601 date-time with a time zone, e.g. '2026-05-01T09:00:00Z': an approved draft waits for this time "
    "before a publish takes it live. Null or omitted: the next publish."
)


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
    language: str | None = Field(default=None, description=LANGUAGE_DOC)
    title: str = Field(min_length=1, max_length=300, description=TITLE_DOC)
    description: str = Field(default="", max_length=1000, description=DESCRIPTION_DOC)
    content: str = Field(default="", description="Markdown body.")
    doc_template_id: str = Field(
        default="docs", description="Fixed at creation; see list-project-doc-templates."
    )
    metadata: dict[str, Any] = Field(default_factory=dict, description=METADATA_DOC)
    audience: Literal["public", "internal"] = Field(default="public", description=AUDIENCE_DOC)
    publish_at: datetime | None = Field(default=None, description=PUBLISH_AT_DOC)


class PageUpdate(Input):
    """Changes to a page's draft; omitted fields keep their value, metadata is merged."""

    base_version: int = Field(description="The 'version' you read (get-page-content). Stale -> conflict.")
    title: str | None = Field(default=None, min_length=1, max_length=300, description=TITLE_DOC)
    description: str | None = Field(default=None, max_length=1000, description=DESCRIPTION_DOC)
    content: str | None = Field(default=None, description="The new Markdown body (replaces the whole body).")
    metadata: dict[str, Any] | None = Field(
        default=None, description="Merged into existing metadata; null deletes a key."
    )
    publish_at: datetime | None = Field(default=None, description=PUBLISH_AT_DOC)


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
    language: str | None = Field(default=None, description=LANGUAGE_DOC)
    title: str = Field(description="10-60 characters.")
    description: str = Field(description="At least 50 characters (160 or fewer recommended).")
    body: str = Field(description="The page body, HTML (or Astro). Ships as written inside the site shell.")
    body_format: Literal["html", "astro"] = Field(
        default="html",
        description="'html' (markup; translatable text marked with data-t-key) or 'astro' (an Astro component; "
        'translatable text in <T key="..." default="..." /> markers).',
    )
    is_faq: bool = Field(
        default=False, description="True if this is FAQ content (refused: use a knowledge page)."
    )
    metadata: dict[str, Any] | None = Field(default=None, description=METADATA_DOC)
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
    images: list[PageImageView] = Field(
        default=[], description="The uploaded images the content names (image:img_... or their URL), resolved."
    )


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
    language: str | None = Field(default=None, description="Only pages in this BCP-47 locale, e.g. 'es-MX'.")
    status: Literal["draft", "ready", "live", "unpublished"] | None = Field(
        default=None, description=f"Only pages with this status: {STATUS_DOC}"
    )
    audience: Literal["public", "internal"] | None = Field(
        default=None, description="Only 'public' (website) or only 'internal' pages."
    )
    doc_template_id: str | None = Field(
        default=None, description="Only pages of this doc template, e.g. 'docs' (list-project-doc-templates)."
    )
    page_type: Literal["knowledge", "custom"] | None = Field(
        default=None, description="Only 'knowledge' (Markdown) or only 'custom' (HTML) pages."
    )
    slug_prefix: str | None = Field(
        default=None, description="Only slugs starting with this text, e.g. 'guides/' for one folder."
    )
    limit: int = Field(default=100, ge=1, le=1000, description="How many pages to return (1-1000).")
    offset: int = Field(  # bounded: past 64 bits the SQL drivers overflow
        default=0,
        ge=0,
        le=2**31 - 1,
        description="How many pages to skip first, for the next page of results.",
    )


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
