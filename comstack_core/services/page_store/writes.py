"""Writing revisions: what a revision holds (``Content``) and committing it as a page's draft."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, inspect
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ...auth import Principal
from ...clock import new_id
from ...models import Page, PageRevision, Project
from ...rules.templates import CUSTOM_PAGE_TEMPLATE
from ..base import Context, audit
from . import search_index
from .status import derive_status

# The page's own columns that its search rows carry (see search_index._insert).
INDEXED_PAGE_COLUMNS = ("project_id", "language", "audience", "doc_template_id")


@dataclass
class Content:
    """What a revision holds; two equal Contents mean a save changed nothing."""

    title: str
    description: str
    content: str
    body_source: str | None
    body_format: str | None
    metadata: dict[str, Any]
    translatable_strings: dict[str, str] | None = None

    @classmethod
    def of(cls, rev: PageRevision) -> Content:
        return cls(
            rev.title,
            rev.description,
            rev.content,
            rev.body_source,
            rev.body_format,
            dict(rev.page_metadata or {}),
            rev.translatable_strings,
        )

    def digest(self) -> str:
        blob = json.dumps(
            [
                self.title,
                self.description,
                self.content,
                self.body_source,
                self.body_format,
                self.metadata,
                self.translatable_strings,
            ],
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(blob.encode()).hexdigest()


def page_type_for(template_id: str, metadata: dict[str, Any]) -> str:
    return (
        "custom" if template_id == CUSTOM_PAGE_TEMPLATE or metadata.get("type") == "custom" else "knowledge"
    )


def revision_values(
    page_id: str, number: int, content: Content, *, principal: Principal, note: str, created_at: datetime
) -> dict[str, Any]:
    """Revision ``number`` of a page, holding ``content`` (the ``PageRevision``'s attributes)."""
    return {
        "id": new_id("rev"),
        "page_id": page_id,
        "number": number,
        "title": content.title,
        "description": content.description,
        "content": content.content,
        "body_source": content.body_source,
        "body_format": content.body_format,
        "page_metadata": content.metadata,
        "translatable_strings": content.translatable_strings,
        "content_hash": content.digest(),
        "note": note,
        "created_at": created_at,
        "created_by": principal.actor_id,
    }


async def write_revision(
    session: AsyncSession, page: Page, content: Content, *, principal: Principal, note: str, ctx: Context
) -> PageRevision:
    number = (
        await session.exec(
            select(func.coalesce(func.max(PageRevision.number), 0)).where(PageRevision.page_id == page.id)
        )
    ).one()
    rev = PageRevision(
        **revision_values(
            page.id, int(number) + 1, content, principal=principal, note=note, created_at=ctx.clock()
        )
    )
    session.add(rev)
    return rev


def mark_draft(page: Page, rev: PageRevision, principal: Principal, *, is_new: bool, now: datetime) -> None:
    """The page's state once ``rev`` is its draft: unapproved, one version on (a new page stays at 1)."""
    page.draft_revision_id, page.draft_approved = rev.id, False
    page.status = derive_status(page)
    if not is_new:
        page.version += 1
    page.updated_at, page.updated_by = now, principal.actor_id


async def commit_draft(
    session: AsyncSession,
    ctx: Context,
    project: Project,
    page: Page,
    content: Content,
    principal: Principal,
    *,
    note: str,
    action: str,
) -> PageRevision:
    """Write ``content`` as the page's draft revision (callers have already skipped unchanged saves)."""
    now = ctx.clock()
    is_new = page.draft_revision_id is None and page.live_revision_id is None
    # A save changes the draft's text only, unless the caller also changed a column every row of the page
    # carries; then the live row is rewritten too. Asked before the revision's query, whose autoflush
    # would write the change and clear its history.
    state = inspect(page)
    whole_page = is_new or any(state.attrs[name].history.has_changes() for name in INDEXED_PAGE_COLUMNS)
    rev = await write_revision(session, page, content, principal=principal, note=note, ctx=ctx)
    mark_draft(page, rev, principal, is_new=is_new, now=now)
    session.add(page)
    await session.flush()
    if whole_page:
        await search_index.reindex(session, page)
    else:
        await search_index.reindex_draft(session, page, rev)
    audit(
        session,
        principal,
        action,
        project_id=project.id,
        targets=[page.id, rev.id],
        detail={"slug": page.slug, "language": page.language},
        at=now,
    )
    return rev


async def remove_page(
    session: AsyncSession, principal: Principal, page: Page, *, at: Any, detail: dict[str, Any]
) -> None:
    """Delete a page with its revisions and its search entry, and audit it (``detail`` says how)."""
    await search_index.remove(session, page.id)
    await session.delete(page)
    audit(
        session, principal, "page.delete", project_id=page.project_id, targets=[page.id], at=at, detail=detail
    )
