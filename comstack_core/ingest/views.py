"""What the ingestion use cases answer: the stored capture, the saved draft, the list of ingested drafts."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from ..schemas.base import Input, View
from ..schemas.images import ImageView
from ..schemas.pages import LintFindingView
from .draft import CaptureRequest, ProposedDraft


class IngestedPage(View):
    """The page a capture became (its latest draft or live state)."""

    path: str = Field(description="The page's stable id; pass it to get-page-content or /docs/{path}.")
    slug: str
    language: str
    title: str
    status: str = Field(description="draft, ready, live or unpublished.")


class CaptureView(View):
    capture_id: str = Field(description="Pass to extract and save.")
    url: str = Field(description="The URL as captured (without credentials).")
    normalized_url: str = Field(description="Captures are one per normalized URL in a project.")
    title: str | None = Field(description="The title the browser sent.")
    html_bytes: int
    already_imported: bool = Field(
        description="True when this URL was captured before: the earlier capture was updated, not duplicated."
    )
    page: IngestedPage | None = Field(description="The page an earlier save made of this capture, if any.")
    created_at: datetime
    updated_at: datetime


class IngestHtml(CaptureRequest):
    """Capture and extract in one call (the ingest-html tool)."""

    template_id: str | None = Field(
        default=None, description="Doc template to fill; default: the one the page suggests."
    )
    instructions: str | None = Field(
        default=None, max_length=4000, description="Extra guidance for the LLM extractor (ignored without one)."
    )


class IngestProposal(View):
    capture: CaptureView
    draft: ProposedDraft = Field(
        description="The proposed draft: edit what needs it and pass it to save-ingested-draft with capture_id."
    )


class IngestSaved(View):
    capture_id: str
    page: IngestedPage
    created: bool = Field(
        description="True: a new page. False: the page this capture became before got a new draft."
    )
    changed: bool = Field(description="False when the draft was already exactly this (nothing written).")
    draft_url: str = Field(description="The draft's preview (REST, authenticated like every /api route).")
    lint_findings: list[LintFindingView] = []
    missing_required: list[str] = Field(default=[], description="Template fields to fill before approval.")


class IngestedDraftItem(View):
    capture_id: str
    source_url: str = Field(description="The captured page's URL.")
    page: IngestedPage
    captured_at: datetime = Field(description="When the page was last captured.")


class IngestedDraftList(View):
    drafts: list[IngestedDraftItem] = Field(
        description="Pages made from captures that were never published, most recently captured first."
    )


class CaptureDeleted(View):
    capture_id: str
    page_kept: str | None = Field(
        description="The page the capture became, which stays (delete it like any page); null if none."
    )


class IngestImage(View):
    capture_id: str
    source_url: str | None = Field(description="The image's URL on the captured page, as sent.")
    image: ImageView = Field(
        description="The stored image: write its 'reference' where the draft shows source_url."
    )


class IngestImageForm(Input):
    """The fields beside the file of an image sent for a capture."""

    source_url: str | None = Field(
        default=None, max_length=4000, description="Where the image is on the captured page."
    )
    alt: str | None = Field(default=None, max_length=1000, description="Alt text: what the image shows.")
