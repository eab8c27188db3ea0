"""Applying an import plan inside one write transaction: pages, their source records, navigation.

Everything an import writes commits together or not at all, so a failed import leaves the project as
it was. Pages go through the same page store as every edit (revisions, search index, audit), with the
page quota checked once for all new pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..auth import Principal
from ..clock import new_id
from ..errors import DomainError
from ..importer import FileReport, ImportPlan, PlanChanges, PlannedGroup, PlannedPage, SourceRecord, compare
from ..models import ImportSource, Page, Project, SidebarGroup
from ..rules.icons import validate_icon
from ..rules.slugs import validate_slug
from ..rules.templates import check_metadata_types, missing_required
from ..schemas.imports import ImportGroupView, ImportPageView
from .access import check_quota
from .base import Context, audit
from .editing import check_language
from .navigation import MAX_GROUPS, load_navigation
from .page_store import search_index
from .page_store.queries import current_content
from .page_store.status import derive_status
from .page_store.urls import check_url_free
from .page_store.writes import Content, commit_draft

MAX_LABEL = 80


@dataclass
class Outcome:
    pages: list[ImportPageView] = field(default_factory=list)
    groups: list[ImportGroupView] = field(default_factory=list)
    written: list[str] = field(default_factory=list)


@dataclass
class Target:
    """What one import run writes with: its project, caller, template and options."""

    session: AsyncSession
    ctx: Context
    project: Project
    principal: Principal
    fields: list[dict[str, Any]]
    origin: str
    approve: bool
    unpublish_removed: bool
    now: datetime
    progress: Callable[[int, int], None] | None = None  # (done, total) pages, for a progress bar


async def plan_changes(session: AsyncSession, project_id: str, plan: ImportPlan) -> PlanChanges:
    rows = (
        await session.exec(
            select(ImportSource, Page.slug, Page.language)
            .join(Page, col(Page.id) == col(ImportSource.page_id))
            .where(ImportSource.project_id == project_id)
        )
    ).all()
    previous = [
        SourceRecord(r.source_path, r.content_hash, slug, language, page_path=r.page_id)
        for r, slug, language in rows
    ]
    existing = (
        await session.exec(select(Page.slug, Page.language).where(Page.project_id == project_id))
    ).all()
    return compare(plan, previous, [(s, lang) for s, lang in existing])


def page_problem(t: Target, page: PlannedPage) -> str | None:
    """Why this planned page cannot be written in this project, as a sentence; None when it can."""
    try:
        validate_slug(page.slug)
        check_language(t.project, page.language, "knowledge_base")
        check_metadata_types(t.fields, page.metadata)
    except DomainError as exc:
        return exc.message
    return None


def _content(page: PlannedPage) -> Content:
    return Content(page.title, page.description, page.content, None, None, dict(page.metadata))


def view(page: PlannedPage, action: str, path: str | None, reason: str = "") -> ImportPageView:
    return ImportPageView(
        slug=page.slug,
        language=page.language,
        source_path=page.source_path,
        action=action,
        path=path,
        title=page.title,
        reason=reason,
    )


async def apply_changes(
    t: Target, plan: ImportPlan, changes: PlanChanges, reports: dict[str, FileReport]
) -> Outcome:
    out = Outcome()
    for page, why in changes.conflicts:
        _fail(reports, page, "slug_in_use", why)
        out.pages.append(view(page, "conflict", None, why))
    writable_new = []
    for page in changes.new:
        problem = page_problem(t, page)
        if problem:
            _fail(reports, page, "page_refused", problem)
            out.pages.append(view(page, "failed", None, problem))
        else:
            writable_new.append(page)
    used = len((await t.session.exec(select(Page.id).where(Page.project_id == t.project.id))).all())
    if writable_new:
        check_quota(t.project, "max_pages", used, adding=len(writable_new))
    total = (
        len(out.pages)
        + len(writable_new)
        + len(changes.changed)
        + len(changes.unchanged)
        + len(changes.removed)
    )
    for page in writable_new:
        try:  # one public URL, one page: a planned page may not take another page's URL
            await check_url_free(t.session, t.project, page.language, page.slug, "knowledge")
        except DomainError as exc:
            _fail(reports, page, "page_refused", exc.message)
            out.pages.append(view(page, "failed", None, exc.message))
        else:
            out.pages.append(await _create(t, page))
        _tick(t, out, total)
    for page, record in changes.changed:
        out.pages.append(await _update(t, page, record, reports))
        _tick(t, out, total)
    for page, record in changes.unchanged:
        out.pages.append(await _unchanged(t, page, record))
        _tick(t, out, total)
    for record in changes.removed:
        out.pages.append(await _removed(t, record))
        _tick(t, out, total)
    wrote = ("create", "update", "approve", "unpublished", "deleted")
    out.written = [p.path for p in out.pages if p.path and p.action in wrote]
    out.groups = await write_navigation(t, plan.groups, plan.language)
    return out


def _tick(t: Target, out: Outcome, total: int) -> None:
    if t.progress is not None:
        t.progress(len(out.pages), total)


def _fail(reports: dict[str, FileReport], page: PlannedPage, code: str, reason: str) -> None:
    report = reports.get(page.source_path)
    if report is not None:
        report.settle("failed", code, reason)


async def _approve(t: Target, page: Page) -> bool:
    """Approve the page's draft when asked and its required template fields are all there."""
    if not t.approve or page.draft_revision_id is None or page.draft_approved:
        return False
    rev, _ = await current_content(t.session, page)
    if missing_required(t.fields, rev.page_metadata or {}):
        return False
    page.draft_approved = True
    page.status = derive_status(page)
    page.version += 1
    t.session.add(page)
    audit(
        t.session,
        t.principal,
        "page.status.ready",
        project_id=t.project.id,
        targets=[page.id],
        at=t.now,
        detail={"via": "import"},
    )
    return True


def _record(t: Target, page_id: str, planned: PlannedPage, record: ImportSource | None = None) -> None:
    row = record or ImportSource(
        page_id=page_id,
        project_id=t.project.id,
        source_path=planned.source_path,
        source_hash=planned.source_hash,
        content_hash=planned.content_hash,
        origin=t.origin,
        imported_at=t.now,
    )
    row.source_path, row.source_hash, row.content_hash = (
        planned.source_path,
        planned.source_hash,
        planned.content_hash,
    )
    row.origin, row.imported_at = t.origin, t.now
    t.session.add(row)


async def _create(t: Target, planned: PlannedPage) -> ImportPageView:
    page = Page(
        id=new_id("pg"),
        project_id=t.project.id,
        slug=planned.slug,
        language=planned.language,
        doc_template_id=planned.doc_template_id,
        page_type="knowledge",
        canonical_slug=planned.slug,
        created_at=t.now,
        created_by=t.principal.actor_id,
        updated_at=t.now,
        updated_by=t.principal.actor_id,
    )
    t.session.add(page)
    await commit_draft(
        t.session,
        t.ctx,
        t.project,
        page,
        _content(planned),
        t.principal,
        note="imported",
        action="page.import",
    )
    await _approve(t, page)
    _record(t, page.id, planned)
    return view(planned, "create", page.id)


async def _update(
    t: Target, planned: PlannedPage, record: SourceRecord, reports: dict[str, FileReport]
) -> ImportPageView:
    page = await t.session.get(Page, record.page_path)
    row = await t.session.get(ImportSource, record.page_path)
    assert page is not None and row is not None  # both come from the join in plan_changes
    problem = page_problem(t, planned) or (
        f"{page.slug!r} is a custom page; an import writes knowledge pages only."
        if page.page_type == "custom"
        else None
    )
    if problem:
        _fail(reports, planned, "page_refused", problem)
        return view(planned, "failed", page.id, problem)
    base, _ = await current_content(t.session, page)
    content = _content(planned)
    action = "unchanged"
    if content != Content.of(base):
        await commit_draft(
            t.session, t.ctx, t.project, page, content, t.principal, note="imported", action="page.import"
        )
        action = "update"
    if await _approve(t, page) and action == "unchanged":
        action = "approve"
    _record(t, page.id, planned, row)
    return view(planned, action, page.id)


async def _unchanged(t: Target, planned: PlannedPage, record: SourceRecord) -> ImportPageView:
    page = await t.session.get(Page, record.page_path)
    assert page is not None
    if record.source_path != planned.source_path:  # moved or renamed, same slug and content
        row = await t.session.get(ImportSource, page.id)
        assert row is not None
        _record(t, page.id, planned, row)
    return view(planned, "approve" if await _approve(t, page) else "unchanged", page.id)


async def _removed(t: Target, record: SourceRecord) -> ImportPageView:
    out = ImportPageView(
        slug=record.slug,
        language=record.language,
        source_path=record.source_path,
        action="removed",
        path=record.page_path,
        reason="Its file is no longer in the tree.",
    )
    if not t.unpublish_removed:
        return out
    page = await t.session.get(Page, record.page_path)
    assert page is not None
    if page.live_revision_id is None:
        row = await t.session.get(ImportSource, page.id)
        if row is not None:
            await t.session.delete(row)
        await search_index.remove(t.session, page.id)
        await t.session.delete(page)
        audit(
            t.session,
            t.principal,
            "page.delete",
            project_id=t.project.id,
            targets=[page.id],
            at=t.now,
            detail={"via": "import", "source_path": record.source_path},
        )
        out.action = "deleted"
        return out
    if not page.unpublished:
        page.unpublished = True
        page.status = derive_status(page)
        page.version += 1
        page.updated_at, page.updated_by = t.now, t.principal.actor_id
        t.session.add(page)
        audit(
            t.session,
            t.principal,
            "page.status.unpublished",
            project_id=t.project.id,
            targets=[page.id],
            at=t.now,
            detail={"via": "import", "source_path": record.source_path},
        )
        out.action = "unpublished"
    return out


async def write_navigation(t: Target, planned: list[PlannedGroup], language: str) -> list[ImportGroupView]:
    """Each planned group becomes the sidebar group of the same title (in the import's language), created
    at the end when there is none; groups the import does not name are left alone."""
    groups, _ = await load_navigation(t.session, t.project.id)
    known = set((await t.session.exec(select(Page.slug).where(Page.project_id == t.project.id))).all())
    by_title = {g.title.get(language): g for g in groups}
    out: list[ImportGroupView] = []
    position = len(groups)
    for group in planned:
        title = " ".join(group.title.split())[:MAX_LABEL] or "Pages"
        slugs = [s for s in dict.fromkeys(group.page_slugs) if s in known]
        existing = by_title.get(title)
        if existing is not None:
            same = existing.page_slugs == slugs
            if not same:
                existing.page_slugs, existing.updated_at = slugs, t.now
                t.session.add(existing)
            out.append(
                ImportGroupView(title=title, page_slugs=slugs, action="unchanged" if same else "update")
            )
            continue
        if not slugs or position >= MAX_GROUPS:
            out.append(ImportGroupView(title=title, page_slugs=slugs, action="skipped"))
            continue
        try:
            icon = validate_icon(group.icon)
        except DomainError:
            icon = "menu_book"
        row = SidebarGroup(
            id=new_id("grp"),
            project_id=t.project.id,
            position=position,
            title={language: title},
            icon=icon,
            page_slugs=slugs,
            updated_at=t.now,
        )
        t.session.add(row)
        by_title[title] = row
        position += 1
        out.append(ImportGroupView(title=title, page_slugs=slugs, action="create"))
    if any(g.action in ("create", "update") for g in out):
        audit(
            t.session,
            t.principal,
            "navigation.update",
            project_id=t.project.id,
            at=t.now,
            detail={"via": "import", "sidebar_groups": sum(g.action != "skipped" for g in out)},
        )
    return out
