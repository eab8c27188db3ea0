"""Applying an import plan inside one write transaction: pages, their source records, navigation.

Everything an import writes commits together or not at all, so a failed import leaves the project as
it was. Pages go through the same page store as every edit (revisions, search index, audit), with the
page quota checked once for all new pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..clock import new_id
from ..errors import DomainError
from ..importer import FileReport, ImportPlan, PlanChanges, PlannedPage, SourceRecord, compare
from ..models import ImportSource, Page, PageRevision
from ..rules.slugs import validate_slug
from ..rules.templates import check_metadata_types, missing_required
from ..schemas.imports import ImportGroupView, ImportPageView
from .access import check_quota
from .base import audit
from .editing import check_language
from .import_navigation import write_navigation
from .import_target import Target
from .page_store import search_index
from .page_store.queries import current_content
from .page_store.status import derive_status
from .page_store.urls import url_clashes
from .page_store.writes import Content, commit_draft, remove_page

_CHUNK = 500  # new pages written per flush


@dataclass
class Outcome:
    pages: list[ImportPageView] = field(default_factory=list)
    groups: list[ImportGroupView] = field(default_factory=list)
    written: list[str] = field(default_factory=list)


@dataclass
class Loaded:
    """The project's pages and source records, loaded once for the whole run (the session holds loaded
    rows only weakly, so the run keeps them here instead of querying each page again)."""

    changes: PlanChanges
    pages: dict[str, Page]
    sources: dict[str, ImportSource]


async def plan_changes(session: AsyncSession, project_id: str, plan: ImportPlan) -> Loaded:
    pages = {p.id: p for p in (await session.exec(select(Page).where(Page.project_id == project_id))).all()}
    sources = {
        r.page_id: r
        for r in (await session.exec(select(ImportSource).where(ImportSource.project_id == project_id))).all()
    }
    previous = [
        SourceRecord(
            r.source_path, r.content_hash, pages[r.page_id].slug, pages[r.page_id].language, r.page_id
        )
        for r in sources.values()
    ]
    changes = compare(plan, previous, [(p.slug, p.language) for p in pages.values()])
    return Loaded(changes, pages, sources)


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
    # One public URL, one page: a planned page may not take the URL of a page (or of a planned one) before it.
    refused = await url_clashes(t.session, t.project, [(p.language, p.slug) for p in writable_new])
    for page in writable_new:
        if (page.language, page.slug) in refused:
            reason = refused[(page.language, page.slug)]
            _fail(reports, page, "page_refused", reason)
            out.pages.append(view(page, "failed", None, reason))
    writable_new = [p for p in writable_new if (p.language, p.slug) not in refused]
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
    await _create_all(t, writable_new, out, total)
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


async def _create_all(t: Target, planned: list[PlannedPage], out: Outcome, total: int) -> None:
    """New pages in chunks: what `commit_draft` writes for a first draft (revision 1, search rows, audit),
    with one flush and one search-index statement per chunk instead of several statements per page."""
    for first in range(0, len(planned), _CHUNK):
        chunk = planned[first : first + _CHUNK]
        pages, revisions = [], []
        for item in chunk:
            content = _content(item)
            page = Page(
                id=new_id("pg"),
                project_id=t.project.id,
                slug=item.slug,
                language=item.language,
                doc_template_id=item.doc_template_id,
                page_type="knowledge",
                canonical_slug=item.slug,
                created_at=t.now,
                created_by=t.principal.actor_id,
                updated_at=t.now,
                updated_by=t.principal.actor_id,
            )
            rev = PageRevision(
                id=new_id("rev"),
                page_id=page.id,
                number=1,
                title=content.title,
                description=content.description,
                content=content.content,
                page_metadata=content.metadata,
                content_hash=content.digest(),
                note="imported",
                created_at=t.now,
                created_by=t.principal.actor_id,
            )
            page.draft_revision_id = rev.id
            page.draft_approved = t.approve and not missing_required(t.fields, content.metadata)
            page.status = derive_status(page)
            pages.append(page)
            revisions.append(rev)
        t.session.add_all(pages)
        await t.session.flush()  # pages before the rows that refer to them
        t.session.add_all(revisions)
        for item, page, rev in zip(chunk, pages, revisions, strict=True):
            _record(t, page.id, item)
            detail = {"slug": page.slug, "language": page.language}
            audit(
                t.session,
                t.principal,
                "page.import",
                project_id=t.project.id,
                targets=[page.id, rev.id],
                detail=detail,
                at=t.now,
            )
            if page.draft_approved:
                audit(
                    t.session,
                    t.principal,
                    "page.status.ready",
                    project_id=t.project.id,
                    targets=[page.id],
                    at=t.now,
                    detail={"via": "import"},
                )
            out.pages.append(view(item, "create", page.id))
        await t.session.flush()
        await search_index.index_new(t.session, list(zip(pages, revisions, strict=True)))
        _tick(t, out, total)


async def _update(
    t: Target, planned: PlannedPage, record: SourceRecord, reports: dict[str, FileReport]
) -> ImportPageView:
    page, row = t.pages[record.page_path or ""], t.sources[record.page_path or ""]
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
    page = t.pages[record.page_path or ""]
    if record.source_path != planned.source_path:  # moved or renamed, same slug and content
        _record(t, page.id, planned, t.sources[page.id])
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
    page = t.pages[record.page_path or ""]
    if page.live_revision_id is None:
        await t.session.delete(t.sources[page.id])
        await remove_page(
            t.session,
            t.principal,
            page,
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
