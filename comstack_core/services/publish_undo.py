"""Put pages back the way they were before a publish promoted them (failed job or revert)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from ..models import Page, PageRevision, Publish
from . import search_index
from .page_store.status import derive_status


async def restore_pages(session: AsyncSession, publish: Publish, *, keep_as_draft: bool) -> None:
    """``keep_as_draft``: after a revert the reverted content stays as an unapproved draft (no work is lost);
    after a failed job the drafts return exactly as they were (approved)."""
    for page_id, info in publish.promoted.items():
        page = await session.get(Page, page_id)
        if page is None:
            continue
        promoted = info["new_live"]
        page.live_revision_id = info.get("previous_live")
        page.live_hash = info.get("previous_hash")
        page.unpublished = bool(info.get("previous_unpublished", False))
        if page.draft_revision_id is None:
            page.draft_revision_id = promoted
            page.draft_approved = not keep_as_draft
        if not keep_as_draft:
            rev = await session.get(PageRevision, promoted)
            if rev is not None:
                rev.published = False
                session.add(rev)
        if page.live_revision_id is None and page.draft_revision_id is None:  # pragma: no cover - defensive
            page.draft_revision_id = promoted
        page.status = derive_status(page)
        page.version += 1
        session.add(page)
        await session.flush()
        await search_index.reindex(session, page)
