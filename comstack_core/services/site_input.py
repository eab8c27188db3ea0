"""Turn a project's database state into the site builder's plain inputs (live, public pages only)."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..models import DocTemplate, Page, PageRevision, Project
from ..rules.locales import project_locales
from ..site import SiteConfig, SitePage
from ..site.urls import locale_prefixes
from .navigation import load_navigation, nav_snapshot


def site_url(public_url: str, project: Project) -> str:
    return f"{public_url.rstrip('/')}/sites/{project.slug}/"


def page_url(base: str, project: Project, slug: str, language: str) -> str:
    """The page's public URL, by the builder's own URL rules."""
    config = SiteConfig(
        project_name=project.name,
        project_slug=project.slug,
        base_url=base,
        default_locale=project.default_locale,
        locales=project_locales(project.default_locale, project.modules),
    )
    prefix = locale_prefixes(config, {language}).get(language, "")
    return base + prefix + ("" if slug == "index" else slug + "/")


def site_config(project: Project, base: str, nav: dict[str, Any]) -> SiteConfig:
    return SiteConfig(
        project_name=project.name,
        project_slug=project.slug,
        base_url=base,
        default_locale=project.default_locale,
        locales=project_locales(project.default_locale, project.modules),
        theme=dict(project.theme or {}),
        sidebar_groups=nav["sidebar_groups"],
        header_nav=nav["header_nav_items"],
    )


async def current_nav(session: AsyncSession, project_id: str) -> dict[str, Any]:
    groups, items = await load_navigation(session, project_id)
    return nav_snapshot(groups, items)


async def site_pages(session: AsyncSession, project: Project) -> list[SitePage]:
    rows = await session.exec(
        select(Page, PageRevision)
        .join(PageRevision, col(PageRevision.id) == col(Page.live_revision_id))
        .where(Page.project_id == project.id, Page.audience == "public", col(Page.unpublished).is_(False))
    )
    templates = {t.id: t for t in await session.exec(select(DocTemplate))}
    # Worked out once per template, not once per page.
    mappings = {
        t.id: {f["name"]: f["schema_org"] for f in t.fields if f.get("schema_org")}
        for t in templates.values()
    }
    pages = []
    for page, rev in rows:
        template = templates.get(page.doc_template_id)
        fields = dict(mappings.get(page.doc_template_id, {}))
        pages.append(
            SitePage(
                id=page.id,
                slug=page.slug,
                language=page.language,
                title=rev.title,
                description=rev.description,
                page_type=page.page_type,
                content=rev.content,
                body_html=rev.body_source if page.page_type == "custom" else None,
                translatable_strings=dict(rev.translatable_strings or {}),
                canonical_slug=page.canonical_slug,
                doc_template_id=page.doc_template_id,
                schema_org_type=template.schema_org_type if template else "Article",
                schema_org_fields=fields,
                metadata=dict(rev.page_metadata or {}),
                updated_at=rev.created_at,
            )
        )
    return pages
