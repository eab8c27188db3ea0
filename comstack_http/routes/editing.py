"""Edit Mode under ``/api/projects/{project_id}/docs/edit``: open, save, discard, upload a custom page."""

from __future__ import annotations

from comstack_core.schemas import (
    CustomPageUpload,
    CustomPageUploadResult,
    DraftDiscarded,
    DraftOpen,
    DraftOpened,
    DraftSave,
    PageRef,
    PageSaved,
)

from .models import DiscardInput
from .spec import Call, RouteSpec

EDIT = "/api/projects/{project_id}/docs/edit"


async def open_draft(call: Call) -> DraftOpened:
    return await call.core.editing.open_draft(call.principal, call.project_id, call.body(DraftOpen))


async def save_draft(call: Call) -> PageSaved:
    return await call.core.editing.save_draft(call.principal, call.project_id, call.body(DraftSave))


async def discard_draft(call: Call) -> DraftDiscarded:
    ref = PageRef(path=call.body(DiscardInput).draft_id)
    return await call.core.editing.discard_draft(call.principal, call.project_id, ref)


async def upload_custom_page(call: Call) -> CustomPageUploadResult:
    return await call.core.custom_pages.upload_custom_page(
        call.principal, call.project_id, call.body(CustomPageUpload)
    )


def specs() -> list[RouteSpec]:
    t = "edit mode"
    return [
        RouteSpec(
            "POST",
            EDIT + "/open",
            open_draft,
            "Start editing a page by slug + language: its draft, live content to clone, or 'new' (editor)",
            t,
            body=DraftOpen,
            response=DraftOpened,
        ),
        RouteSpec(
            "POST",
            EDIT + "/save",
            save_draft,
            "Save the draft (draft_id from open, or 'new'); a stale base_version is a 409 (editor)",
            t,
            body=DraftSave,
            response=PageSaved,
        ),
        RouteSpec(
            "POST",
            EDIT + "/discard",
            discard_draft,
            "Drop the draft and its unpublished revisions (editor)",
            t,
            body=DiscardInput,
            response=DraftDiscarded,
        ),
        RouteSpec(
            "POST",
            EDIT + "/upload-custom-page",
            upload_custom_page,
            "Create or replace a custom HTML page's draft, through every HTML check (editor, name echo)",
            t,
            body=CustomPageUpload,
            response=CustomPageUploadResult,
        ),
    ]
