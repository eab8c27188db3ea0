"""Statements on image rows that the image use cases share: the blob lock, the project's image generation,
storage used, and the live pages that show an image."""

from __future__ import annotations

from sqlalchemy import func, text, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..models import Image, Page, PageRevision, Project


async def lock_blob(session: AsyncSession, sha256: str, *, sqlite: bool) -> None:
    """Serialise writers of one blob across projects (an upload of the bytes another project is deleting).
    SQLite runs one write transaction at a time already; PostgreSQL takes a transaction advisory lock."""
    if not sqlite:
        await session.exec(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=int(sha256[:15], 16)))  # type: ignore[call-overload]


async def bump_image_generation(session: AsyncSession, project_id: str) -> None:
    """Count an upload or a deletion on the project, in the same transaction (publishing relies on it)."""
    await session.exec(
        update(Project)
        .where(col(Project.id) == project_id)
        .values(image_generation=col(Project.image_generation) + 1)
    )


async def used_bytes(session: AsyncSession, project_id: str) -> int:
    total = (
        await session.exec(
            select(func.coalesce(func.sum(Image.bytes), 0)).where(Image.project_id == project_id)
        )
    ).one()
    return int(total)


async def live_pages_using(session: AsyncSession, project_id: str, image_id: str) -> list[str]:
    """'slug (language)' of each page whose live version names the image and that is on the site."""
    mention = col(PageRevision.content).contains(image_id) | col(PageRevision.body_source).contains(image_id)
    rows = await session.exec(
        select(Page.slug, Page.language)
        .join(PageRevision, col(PageRevision.id) == Page.live_revision_id)
        .where(Page.project_id == project_id, col(Page.unpublished).is_(False), mention)
        .order_by(Page.language, Page.slug)
    )
    return [f"{slug} ({language})" for slug, language in rows]
