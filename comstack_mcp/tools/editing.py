"""Editing: drafts of knowledge pages and custom pages, approval, revisions, deletion."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from comstack_core import Core, Principal
from comstack_core.schemas import (
    CustomPageUpload,
    CustomPageUploadResult,
    DraftDiscarded,
    PageCreate,
    PageRef,
    PageSaved,
    PageStatusUpdate,
    PageUpdate,
    PageView,
    RevisionView,
)
from comstack_core.schemas.base import View

from ..spec import READ, Hints, ToolSpec
from .common import NameEcho, ProjectArg, part

WRITE = Hints(read_only=False, destructive=False, idempotent=False, open_world=False)
DESTRUCTIVE = Hints(read_only=False, destructive=True, idempotent=True, open_world=False)


class CreatePageArgs(PageCreate, ProjectArg):
    pass


async def create_page(core: Core, principal: Principal, args: CreatePageArgs) -> PageSaved:
    return await core.editing.create_page(principal, args.project_id, part(args, PageCreate))


class UpdatePageArgs(PageUpdate, PageRef, ProjectArg):
    pass


async def update_page(core: Core, principal: Principal, args: UpdatePageArgs) -> PageSaved:
    return await core.editing.update_page(principal, args.project_id, part(args, PageRef), part(args, PageUpdate))


class UploadCustomPageArgs(CustomPageUpload, ProjectArg):
    pass


async def upload_custom_page(core: Core, principal: Principal, args: UploadCustomPageArgs) -> CustomPageUploadResult:
    return await core.custom_pages.upload_custom_page(principal, args.project_id, part(args, CustomPageUpload))


class SetPageStatusArgs(PageStatusUpdate, PageRef, ProjectArg):
    pass


async def set_page_status(core: Core, principal: Principal, args: SetPageStatusArgs) -> PageView:
    return await core.pages.set_page_status(
        principal, args.project_id, part(args, PageRef), part(args, PageStatusUpdate)
    )


class DeletePageArgs(NameEcho, PageRef, ProjectArg):
    pass


class PageDeleted(View):
    deleted: bool
    page: dict[str, str] = Field(description="The page as it was named in the call (path, or slug and language).")


async def delete_page(core: Core, principal: Principal, args: DeletePageArgs) -> PageDeleted:
    ref = part(args, PageRef)
    await core.pages.delete_page(principal, args.project_id, ref, args.project_name)
    return PageDeleted(deleted=True, page=ref.model_dump(exclude_none=True))


class PageArgs(PageRef, ProjectArg):
    pass


class RevisionList(View):
    revisions: list[RevisionView]


async def list_page_revisions(core: Core, principal: Principal, args: PageArgs) -> RevisionList:
    return RevisionList(revisions=await core.pages.list_revisions(principal, args.project_id, part(args, PageRef)))


class RestoreRevisionArgs(PageRef, ProjectArg):
    revision_number: int = Field(ge=1, le=2**31 - 1, description="The revision 'number' from list-page-revisions.")
    base_version: int | None = Field(
        default=None, description="Optional: the page 'version' you read; refused if the page changed since."
    )


async def restore_page_revision(core: Core, principal: Principal, args: RestoreRevisionArgs) -> PageView:
    return await core.pages.restore_revision(
        principal, args.project_id, part(args, PageRef), args.revision_number, args.base_version
    )


async def discard_draft(core: Core, principal: Principal, args: PageArgs) -> DraftDiscarded:
    return await core.editing.discard_draft(principal, args.project_id, part(args, PageRef))


TOOLS: list[ToolSpec[Any]] = [
    ToolSpec(
        name="create-page",
        title="Create a knowledge page",
        description=(
            "Creates a new knowledge page (Markdown) as a draft: slug, title, description (50-160 characters "
            "reads best), content, doc_template_id (fixed for life; see list-project-doc-templates) and its "
            "metadata. Nothing goes live until it is approved and published. Search first (search-docs) to avoid "
            "duplicates; for custom HTML pages use upload-custom-page. Returns the page with its version, lint "
            "findings and missing required fields; next: fix those, then set-page-status status=ready."
        ),
        input=CreatePageArgs,
        handler=create_page,
        min_role="editor",
        writes=True,
        hints=WRITE,
    ),
    ToolSpec(
        name="update-page",
        title="Update a knowledge page",
        description=(
            "Changes a knowledge page's draft (address it by path, or slug + language): title, description, "
            "content, metadata (merged; null removes a key), publish_at. Pass base_version = the version you read; "
            "if someone changed the page since, it is refused with the current version, so reload and reapply. "
            "Editing a live page opens a draft and never changes the live site. A save that changes nothing "
            "writes nothing (changed=false). Next: set-page-status status=ready."
        ),
        input=UpdatePageArgs,
        handler=update_page,
        min_role="editor",
        writes=True,
        hints=WRITE,
    ),
    ToolSpec(
        name="upload-custom-page",
        title="Upload a custom HTML page",
        description=(
            "Creates or replaces the draft of a custom page (free-form HTML, shipped inside the site shell) keyed "
            "by slug + language. Checks in order: project_name echo, language, no FAQ content (is_faq), 2 MB cap, "
            "no javascript:/data:/vbscript: links, title 10-60 and description >= 50 characters, translation "
            "markers (data-t-key). Returns draft_url, lint_findings (fix them; see comstack://lighthouse) and "
            "translatable_strings. Next: set-page-status status=ready."
        ),
        input=UploadCustomPageArgs,
        handler=upload_custom_page,
        min_role="editor",
        writes=True,
        # The page's earlier body stays a revision (restore-page-revision brings it back): not destructive.
        hints=Hints(read_only=False, destructive=False, idempotent=True, open_world=False),
    ),
    ToolSpec(
        name="set-page-status",
        title="Approve, withdraw or unpublish a page",
        description=(
            "Moves a page through the workflow: status 'ready' approves its draft for the next publish (all "
            "required template fields must be filled), 'draft' withdraws the approval, 'unpublished' takes a live "
            "page down at the next publish (managers). Needs project_name, the project's exact name, as a safety "
            "echo. After approving, a manager publishes."
        ),
        input=SetPageStatusArgs,
        handler=set_page_status,
        min_role="editor",
        writes=True,
        hints=DESTRUCTIVE,
    ),
    ToolSpec(
        name="delete-page",
        title="Delete a page",
        description=(
            "Deletes a page with its whole history (managers); if it is on the site it disappears at the next "
            "publish. Cannot be undone: prefer set-page-status 'unpublished' to take a page down. Confirm with "
            "the user first, and pass project_name, the project's exact name."
        ),
        input=DeletePageArgs,
        handler=delete_page,
        min_role="manager",
        writes=True,
        hints=DESTRUCTIVE,
    ),
    ToolSpec(
        name="list-page-revisions",
        title="List page revisions",
        description=(
            "Lists a page's saved revisions, newest first: number, title, note, who and when, and which one is "
            "the draft or live. Use it before restore-page-revision."
        ),
        input=PageArgs,
        handler=list_page_revisions,
        min_role="viewer",
        writes=False,
        hints=READ,
    ),
    ToolSpec(
        name="restore-page-revision",
        title="Restore a page revision",
        description=(
            "Copies an old revision's content into the page's draft (as a new revision); the live site is "
            "untouched until the draft is approved and published. Get the number from list-page-revisions. "
            "Next: review with get-page-content, then set-page-status status=ready."
        ),
        input=RestoreRevisionArgs,
        handler=restore_page_revision,
        min_role="editor",
        writes=True,
        hints=WRITE,
    ),
    ToolSpec(
        name="discard-draft",
        title="Discard a draft",
        description=(
            "Drops a page's pending draft and its unpublished revisions, going back to the live version; a page "
            "that was never published disappears entirely. Use it when the user abandons an edit."
        ),
        input=PageArgs,
        handler=discard_draft,
        min_role="editor",
        writes=True,
        hints=DESTRUCTIVE,  # the draft's revisions go, and a never-published page with them
    ),
]
