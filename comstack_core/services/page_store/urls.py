"""One public URL, one page: the check every page creation and approval makes, with the site's own URL
rules (``site/urls.py``), so the builder never meets two pages on one URL."""

from __future__ import annotations

from sqlalchemy import and_, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ...errors import Conflict
from ...models import Page, Project
from ...rules.locales import project_locales
from ...site.urls import claimants, markdown_file, page_path, prefixes_for


async def _prefixes(session: AsyncSession, project: Project, *languages: str) -> dict[str, str]:
    used = set(await session.exec(select(Page.language).where(Page.project_id == project.id).distinct()))
    return prefixes_for(
        project.default_locale,
        set(project_locales(project.default_locale, project.modules)) | used | set(languages),
    )


def _files(prefix: str, slug: str, custom: bool) -> list[str]:
    return [page_path(prefix, slug) + "index.html", *([] if custom else [markdown_file(prefix, slug)])]


async def url_clashes(
    session: AsyncSession, project: Project, planned: list[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """For a batch of new knowledge pages (language, slug), in order: why each one that would take the URL
    of an existing page, or of a planned page before it, cannot be written. Two statements for the batch."""
    if not planned:
        return {}
    prefixes = await _prefixes(session, project, *(lang for lang, _ in planned))
    owners: dict[str, str] = {}
    for other_slug, other_language, other_type in await session.exec(
        select(Page.slug, Page.language, Page.page_type).where(Page.project_id == project.id)
    ):
        for name in _files(prefixes[other_language], other_slug, other_type == "custom"):
            owners[name] = f"the page {other_slug!r} in {other_language}"
    refused: dict[tuple[str, str], str] = {}
    for language, slug in planned:
        names = _files(prefixes[language], slug, False)
        taken = next((owners[n] for n in names if n in owners), None)
        if taken is not None:
            url = "/" + page_path(prefixes[language], slug)
            refused[(language, slug)] = (
                f"The page {slug!r} in {language} would be published at {url}, which {taken} already claims."
            )
            continue
        for name in names:
            owners[name] = f"the imported page {slug!r} in {language}"
    return refused


async def check_url_free(
    session: AsyncSession,
    project: Project,
    language: str,
    slug: str,
    page_type: str,
    *,
    page_id: str | None = None,
) -> None:
    """Refuse a page at (language, slug) whose public URL another page of the project already claims."""
    prefixes = await _prefixes(session, project, language)
    clashes = claimants(prefixes, language, slug, custom=page_type == "custom")
    if not clashes:
        return
    rows = await session.exec(
        select(Page.id, Page.slug, Page.language, Page.page_type).where(
            Page.project_id == project.id,
            or_(*(and_(col(Page.language) == lang, col(Page.slug) == s) for lang, s, _ in clashes)),
        )
    )
    md_only = {(lang, s) for lang, s, only in clashes if only}
    for other_id, other_slug, other_language, other_type in rows:
        if other_id == page_id:
            continue
        markdown_clash = (other_language, other_slug) in md_only and not any(
            (lang, s) == (other_language, other_slug) and not only for lang, s, only in clashes
        )
        if markdown_clash and other_type == "custom":
            continue  # a custom page has no Markdown copy
        url = "/" + (
            page_path(prefixes[language], slug) if not markdown_clash else f"{prefixes[language]}{slug}.md"
        )
        raise Conflict(
            f"The page {slug!r} in {language} would be published at {url}, which the page "
            f"{other_slug!r} in {other_language} (path {other_id}) already claims. Two pages cannot share "
            "one URL: choose another slug, or change or delete the other page.",
            code="url_taken",
            path=other_id,
            url=url,
        )
