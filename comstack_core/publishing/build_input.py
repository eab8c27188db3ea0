"""The site builder's input, made from the database: its config (URLs, locales, theme, navigation) and its
pages (live, public pages only), and the public URLs of a project's site and pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..models import DocTemplate, Page, PageRevision, Project
from ..rules.locales import project_locales
from ..rules.reader_mcp import reader_enabled
from ..services.navigation import load_navigation, nav_snapshot
from ..site import SiteConfig, SitePage
from ..site.urls import locale_prefixes

T = TypeVar("T")


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
        mcp=reader_enabled(project.settings),
    )


async def current_nav(session: AsyncSession, project_id: str) -> dict[str, Any]:
    groups, items = await load_navigation(session, project_id)
    return nav_snapshot(groups, items)


@dataclass(frozen=True)
class LiveRevision:
    """What the site takes from a revision. Revisions never change once written, so a runner may keep these
    between publishes and load from the database only the revisions it has not seen."""

    title: str
    description: str
    content: str
    body_source: str | None
    strings: dict[str, str]
    metadata: dict[str, Any]
    created_at: datetime

    @classmethod
    def of(cls, rev: PageRevision) -> LiveRevision:
        return cls(
            rev.title,
            rev.description,
            rev.content,
            rev.body_source,
            dict(rev.translatable_strings or {}),
            dict(rev.page_metadata or {}),
            rev.created_at,
        )


@dataclass
class BuildInputCache:
    """What a runner keeps of a project's site input between publishes: the live revisions it has read
    (revision id -> LiveRevision) and the pages it made of them (page id -> (what the page was made
    from, SitePage)), so a publish that changes a few pages of thousands reads and makes only those."""

    revisions: dict[str, LiveRevision] = field(default_factory=dict)
    pages: dict[str, tuple[tuple[Any, ...], SitePage]] = field(default_factory=dict)


def recent(caches: dict[str, T], key: str, make: Callable[[], T], keep: int) -> T:
    """``caches[key]`` (made if missing), kept among the ``keep`` most recently used."""
    cache = caches.pop(key, None) or make()
    caches[key] = cache  # most recently used last
    while len(caches) > keep:
        caches.pop(next(iter(caches)))
    return cache


class InputCaches:
    """A runner's build input per project, for its jobs (the live pages) and for its dry runs' checks (the
    pages the next publish would show). The two are kept apart, because a job trims its cache to the live
    pages while a dry run may be between two reads of its own; but each lends the other its objects. A
    page unchanged between the two is then one object in both: the next build finds the pages that
    changed by identity (site.memo), so a check built from the served build, and a job built from the
    check's, patch the previous build instead of redoing the whole site's index and files, and every page's
    text is held once."""

    def __init__(self, keep: int) -> None:
        self.keep = keep
        self._jobs: dict[str, BuildInputCache] = {}
        self._plans: dict[str, BuildInputCache] = {}

    def for_job(self, project_id: str) -> tuple[BuildInputCache, BuildInputCache | None]:
        """The jobs' cache of the project, and the dry runs' to borrow from."""
        return recent(self._jobs, project_id, BuildInputCache, self.keep), self._plans.get(project_id)

    def for_plan(self, project_id: str) -> tuple[BuildInputCache, BuildInputCache | None]:
        """The dry runs' cache of the project, and the jobs' to borrow from."""
        return recent(self._plans, project_id, BuildInputCache, self.keep), self._jobs.get(project_id)


async def site_pages(
    session: AsyncSession,
    project: Project,
    cache: BuildInputCache | None = None,
    *,
    planned_at: datetime | None = None,
    lend: BuildInputCache | None = None,
) -> list[SitePage]:
    """The live, public pages. ``cache`` is used and refreshed if given, and trimmed to this site. What it
    lacks is taken from ``lend`` when that holds it (read only: nothing of ``lend`` changes).

    ``planned_at``: the pages the next publish would put on the site instead (approved drafts due at that
    time in place of their live versions, taken-down pages left out), for the dry run's check."""
    columns = (
        col(Page.id),
        col(Page.slug),
        col(Page.language),
        col(Page.page_type),
        col(Page.canonical_slug),
        col(Page.doc_template_id),
        col(Page.live_revision_id),
    )
    rows: list[tuple[Any, ...]]
    if planned_at is None:
        rows = (
            await session.exec(  # type: ignore[call-overload]  # seven plain columns: no objects, no JSON
                sa_select(*columns).where(
                    col(Page.project_id) == project.id,
                    col(Page.audience) == "public",
                    col(Page.unpublished).is_(False),
                    col(Page.live_revision_id).is_not(None),
                )
            )
        ).all()
    else:
        rows = []
        for *head, live, draft, approved, publish_at, unpublished in await session.exec(  # type: ignore[call-overload]
            sa_select(
                *columns,
                col(Page.draft_revision_id),
                col(Page.draft_approved),
                col(Page.publish_at),
                col(Page.unpublished),
            ).where(col(Page.project_id) == project.id, col(Page.audience) == "public")
        ):
            due = bool(draft and approved and (publish_at is None or publish_at <= planned_at))
            if due:
                rows.append((*head, draft))
            elif live is not None and not unpublished:
                rows.append((*head, live))
    cache = cache if cache is not None else BuildInputCache()
    revisions = cache.revisions
    live_ids = {str(row[6]) for row in rows}
    missing = sorted(live_ids - set(revisions))
    if lend is not None and missing:
        lent = lend.revisions
        for rev_id in missing:
            if rev_id in lent:
                revisions[rev_id] = lent[rev_id]
        missing = [rev_id for rev_id in missing if rev_id not in revisions]
    for start in range(0, len(missing), 500):
        part = missing[start : start + 500]
        for rev in await session.exec(select(PageRevision).where(col(PageRevision.id).in_(part))):
            revisions[rev.id] = LiveRevision.of(rev)
    for stale in set(revisions) - live_ids:
        del revisions[stale]
    templates = {t.id: t for t in await session.exec(select(DocTemplate))}
    # Worked out once per template, not once per page.
    mappings = {
        t.id: {f["name"]: f["schema_org"] for f in t.fields if f.get("schema_org")}
        for t in templates.values()
    }
    signatures = {
        tid: (templates[tid].schema_org_type, tuple(sorted(mapping.items())))
        for tid, mapping in mappings.items()
    }
    made = cache.pages
    pages = []
    for row in rows:
        page_id, slug, language, page_type, canonical_slug, template_id, rev_id = row
        key = (*row, signatures.get(template_id))
        known = made.get(page_id)
        if (known is None or known[0] != key) and lend is not None:
            known = lend.pages.get(page_id)
            if known is not None and known[0] == key:
                made[page_id] = known
        if known is not None and known[0] == key:
            pages.append(known[1])
            continue
        live = revisions[str(rev_id)]
        template = templates.get(template_id)
        page = SitePage(
            id=page_id,
            slug=slug,
            language=language,
            title=live.title,
            description=live.description,
            page_type=page_type,
            content=live.content,
            body_html=live.body_source if page_type == "custom" else None,
            translatable_strings=dict(live.strings),
            canonical_slug=canonical_slug,
            doc_template_id=template_id,
            schema_org_type=template.schema_org_type if template else "Article",
            schema_org_fields=dict(mappings.get(template_id, {})),
            metadata=dict(live.metadata),
            updated_at=live.created_at,
            revision=str(rev_id),  # revisions never change: the builder need not hash the content
        )
        made[page_id] = (key, page)
        pages.append(page)
    if len(made) > len(rows):
        present = {row[0] for row in rows}
        for gone in [k for k in made if k not in present]:
            del made[gone]
    return pages
