"""Ingestion under ``/api/projects/{project_id}/ingest`` (SPEC §12): the browser extension's routes.

These are the only routes that answer CORS for ``chrome-extension://`` origins (``middleware/cors.py``).
An image of a captured page is sent as the request body itself (the bytes the browser read), with
``source_url`` and ``alt`` in the query; the server never fetches it.
"""

from __future__ import annotations

from comstack_core.ingest import CaptureRequest, ExtractRequest, ProposedDraft, SaveRequest
from comstack_core.ingest.views import (
    CaptureView,
    IngestedDraftList,
    IngestImage,
    IngestImageForm,
    IngestSaved,
)
from comstack_core.services.ingest import IngestService

from .spec import Call, RouteSpec

INGEST = "/api/projects/{project_id}/ingest"
CAPTURE = INGEST + "/captures/{capture_id}"


async def capture_page(call: Call) -> CaptureView:
    return await call.core.ingest.capture(call.principal, call.project_id, call.body(CaptureRequest))


async def extract_capture(call: Call) -> ProposedDraft:
    return await call.core.ingest.extract(call.principal, call.project_id, call.body(ExtractRequest))


async def save_ingested_draft(call: Call) -> IngestSaved:
    return await call.core.ingest.save(call.principal, call.project_id, call.body(SaveRequest))


async def list_ingested_drafts(call: Call) -> IngestedDraftList:
    return await call.core.ingest.list_drafts(call.principal, call.project_id)


async def delete_capture(call: Call) -> None:
    await call.core.ingest.delete_capture(call.principal, call.project_id, call.param("capture_id"))


async def upload_capture_image(call: Call) -> IngestImage:
    form = call.query(IngestImageForm)
    return await call.core.ingest.import_image(
        call.principal, call.project_id, call.param("capture_id"), await call.request.body(),
        source_url=form.source_url, alt=form.alt,
    )


def specs() -> list[RouteSpec]:
    t = "ingest"
    return [
        RouteSpec(
            "POST",
            INGEST + "/capture",
            capture_page,
            "Store a page the browser captured (editor, module chrome_ingest): url, html up to 1 MB, title; "
            "the same URL again updates its capture (already_imported, and the page it became)",
            t,
            body=CaptureRequest,
            response=CaptureView,
            extra_errors=(400, 403, 404, 413),
            uses=IngestService.capture,
        ),
        RouteSpec(
            "POST",
            INGEST + "/extract",
            extract_capture,
            "Propose a draft from a capture: title, description, free slug, language, Markdown body, "
            "template fields from JSON-LD / Open Graph / microdata, suggested template, images",
            t,
            body=ExtractRequest,
            response=ProposedDraft,
            extra_errors=(400, 403, 404, 413),
            uses=IngestService.extract,
        ),
        RouteSpec(
            "POST",
            INGEST + "/save",
            save_ingested_draft,
            "Save a proposed (or edited) draft as a draft page through the editing service; a capture saved "
            "before updates its page when the slug and language are the page's",
            t,
            body=SaveRequest,
            response=IngestSaved,
            extra_errors=(400, 403, 404, 409),
            uses=IngestService.save,
        ),
        RouteSpec(
            "GET",
            INGEST + "/drafts",
            list_ingested_drafts,
            "Pages made from captures that were never published",
            t,
            response=IngestedDraftList,
            extra_errors=(403, 404),
            uses=IngestService.list_drafts,
        ),
        RouteSpec(
            "DELETE",
            CAPTURE,
            delete_capture,
            "Delete a capture (its stored HTML); the page it became stays",
            t,
            status=204,
            extra_errors=(403, 404),
            uses=IngestService.delete_capture,
        ),
        RouteSpec(
            "POST",
            CAPTURE + "/images",
            upload_capture_image,
            "Store an image of a captured page (editor): the body is the image's bytes as the browser read "
            "them, ?source_url= and ?alt= optional; answers the image to reference in the draft",
            t,
            query=IngestImageForm,
            response=IngestImage,
            status=201,
            extra_errors=(400, 403, 404, 413),
            uses=IngestService.import_image,
        ),
    ]
