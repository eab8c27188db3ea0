"""Ingestion (SPEC §12): an assistant that already has a web page's HTML turns it into a draft page."""

from __future__ import annotations

from typing import Any

from comstack_core import Core, Principal
from comstack_core.ingest import SaveRequest
from comstack_core.ingest.views import IngestedDraftList, IngestHtml, IngestProposal, IngestSaved
from comstack_core.services.ingest import IngestService

from ..spec import READ, Hints, ToolSpec
from .common import ProjectArg, part


class IngestHtmlArgs(IngestHtml, ProjectArg):
    pass


async def ingest_html(core: Core, principal: Principal, args: IngestHtmlArgs) -> IngestProposal:
    return await core.ingest.ingest_html(principal, args.project_id, part(args, IngestHtml))


class SaveIngestedDraftArgs(SaveRequest, ProjectArg):
    pass


async def save_ingested_draft(core: Core, principal: Principal, args: SaveIngestedDraftArgs) -> IngestSaved:
    return await core.ingest.save(principal, args.project_id, part(args, SaveRequest))


async def list_ingested_drafts(core: Core, principal: Principal, args: ProjectArg) -> IngestedDraftList:
    return await core.ingest.list_drafts(principal, args.project_id)


TOOLS: list[ToolSpec[Any]] = [
    ToolSpec(
        name="ingest-html",
        title="Turn a web page's HTML into a proposed draft",
        description=(
            "Stores a web page's HTML you already have (url, html up to 1 MB, title) and returns a proposed "
            "draft: title, description, a free slug, language, the main content as Markdown (navigation, "
            "banners and footers removed; relative links made absolute), template fields from its JSON-LD / "
            "Open Graph / microdata, a suggested template and its images. The server never fetches the URL. "
            "The same URL again updates its capture (capture.already_imported, capture.page). Nothing becomes "
            "a page until save-ingested-draft. Needs the chrome_ingest module."
        ),
        input=IngestHtmlArgs,
        handler=ingest_html,
        uses=IngestService.ingest_html,
        # It stores (or replaces) the page's capture, nothing else; the same call again changes nothing.
        hints=Hints(read_only=False, destructive=False, idempotent=True, open_world=False),
    ),
    ToolSpec(
        name="save-ingested-draft",
        title="Save an ingested draft as a page",
        description=(
            "Saves the draft from ingest-html (as proposed or edited; show it to the user first) as a draft page, "
            "like create-page: versions, audit, lint findings and missing template fields. A capture saved before "
            "updates its page with a new draft when slug and language are unchanged. Approve it with "
            "set-page-status; it goes live at the next publish."
        ),
        input=SaveIngestedDraftArgs,
        handler=save_ingested_draft,
        uses=IngestService.save,
        # Earlier content stays a revision; saving the same draft again writes nothing.
        hints=Hints(read_only=False, destructive=False, idempotent=True, open_world=False),
    ),
    ToolSpec(
        name="list-ingested-drafts",
        title="List ingested drafts",
        description=(
            "Lists the pages made from captured web pages that were never published, most recently captured "
            "first, with the source URL and the page's path, slug, title and status."
        ),
        input=ProjectArg,
        handler=list_ingested_drafts,
        uses=IngestService.list_drafts,
        hints=READ,
    ),
]
