"""Undoing a publish: pages back the way they were before it promoted them (a failed job or a revert), and
a revert's whole change to the database (which pages are on the site, theme, navigation, status)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..models import Page, PageRevision, Project, Publish, PublishPromotion, TranslationTask
from ..services.page_store import search_index
from ..services.page_store.status import derive_status


async def restore_pages(session: AsyncSession, publish: Publish, *, keep_as_draft: bool) -> None:
    """``keep_as_draft``: after a revert the reverted content stays as an unapproved draft (no work is lost);
    after a failed job the drafts return exactly as they were (approved). The translation tasks the publish
    opened are closed as stale: the versions they ask to translate are no longer live."""
    await session.exec(
        update(TranslationTask)
        .where(col(TranslationTask.publish_id) == publish.id, col(TranslationTask.status) == "open")
        .values(status="stale")
    )
    records = await session.exec(select(PublishPromotion).where(col(PublishPromotion.publish_id) == publish.id))
    for info in records.all():
        page = await session.get(Page, info.page_id)
        if page is None:
            continue
        promoted = info.new_live
        page.live_revision_id = info.previous_live
        page.live_hash = info.previous_hash
        page.unpublished = info.previous_unpublished
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


async def revert(session: AsyncSession, project: Project, publish: Publish, now: datetime) -> None:
    """Put back what ``publish`` replaced: the live versions (its content stays as unapproved drafts), which
    pages the previous deployment has, and the theme and navigation published before it."""
    await restore_pages(session, publish, keep_as_draft=True)
    previous = await session.exec(
        select(Publish)
        .where(
            Publish.project_id == project.id, Publish.status == "succeeded", Publish.id != publish.id
        )
        .order_by(col(Publish.created_at).desc())
        .limit(1)
    )
    before = previous.first()
    deployed = before.deployed if before else {}
    for page in await session.exec(select(Page).where(Page.project_id == project.id)):
        page.on_site = page.id in deployed
        session.add(page)
    project.published_theme, project.published_nav = publish.previous_theme, publish.previous_nav
    session.add(project)
    publish.status, publish.reverted_at = "reverted", now
    session.add(publish)
