"""One public URL, one page: the check every page creation and approval makes, with the site's own URL
rules (``site/urls.py``), so the builder never meets two pages on one URL."""

from __future__ import annotations

from sqlalchemy import and_, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ...errors import Conflict
from ...models import Page, Project
from ...rules.locales import project_locales
from ...site.urls import claimants, page_path, prefixes_for


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
    languages = set(await session.exec(select(Page.language).where(Page.project_id == project.id).distinct()))
    prefixes = prefixes_for(
        project.default_locale,
        set(project_locales(project.default_locale, project.modules)) | languages | {language},
    )
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
