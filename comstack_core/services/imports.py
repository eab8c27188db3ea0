"""Importing a tree of Markdown files (a folder, an uploaded archive, a git checkout) into a project.

The importer reads the tree into a plan without touching the database; this service compares the
plan with what earlier imports wrote (each imported page remembers its source path and hash) and
applies it in one transaction. Files that cannot be imported are lines of the report, never silent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import IO

from ..auth import Principal
from ..backup.site_file import apply_site_file, read_site_file
from ..importer import (
    ArchiveLimits,
    FileReport,
    ImportLimits,
    ImportOptions,
    ImportPlan,
    extract_archive,
    read_tree,
)
from ..rules.locales import normalize_locale
from ..schemas.imports import (
    ImportFileView,
    ImportGroupView,
    ImportNoteView,
    ImportPageView,
    ImportReport,
    ImportRequest,
)
from ..usecases import Need, use_case
from .access import check_quota, project_access, require_module
from .base import Context, Service, audit
from .images import ImageService
from .import_apply import Outcome, apply_changes, page_problem, plan_changes, view
from .import_images import store_images
from .import_target import Target
from .navigation import load_navigation
from .page_store.queries import usable_template

Progress = Callable[[int, int], None]
DOC_TEMPLATE = "docs"


class ImportService(Service):
    def __init__(self, ctx: Context, images: ImageService) -> None:
        super().__init__(ctx)
        self.images = images

    # A plan-only import writes nothing, but it is the same use case: a manager's, with a writing credential.
    @use_case(Need.manager, writes=True)
    async def import_tree(
        self,
        principal: Principal,
        project_id: str,
        root: Path,
        data: ImportRequest,
        *,
        origin: str = "cli",
        progress: Progress | None = None,
    ) -> ImportReport:
        """Plan (``plan_only``) or apply the import of the folder ``root`` (manager)."""
        options = await self._options(principal, project_id, data)
        plan = await asyncio.to_thread(read_tree, root, options)
        site = await asyncio.to_thread(read_site_file, root)  # a ComStack export's theme and navigation
        if data.plan_only:
            return await self._plan(principal, project_id, plan, approve=data.approve)
        report = await self._apply(principal, project_id, root, plan, data, origin, progress)
        if site is not None:
            async with self.db.read() as session:
                name = (await project_access(session, principal, project_id, now=self.now())).project.name
            custom = await apply_site_file(
                self.ctx, self.images, principal, project_id, name, site, root,
                approve=data.approve, include_drafts=data.include_drafts,
            )
            report.files.extend(_file_view(f) for f in custom)
        return report

    @use_case(Need.manager, writes=True)
    async def import_archive(
        self, principal: Principal, project_id: str, archive: IO[bytes], data: ImportRequest
    ) -> ImportReport:
        """The same for an uploaded .zip / .tar.gz, unpacked safely into a temporary folder first."""
        await self._options(principal, project_id, data)  # refuse callers before unpacking anything
        limits = ArchiveLimits(max_compressed_bytes=self.ctx.settings.import_max_archive_bytes)
        tree = await asyncio.to_thread(extract_archive, archive, limits)
        try:
            return await self.import_tree(principal, project_id, tree.path, data, origin="archive")
        finally:
            await asyncio.to_thread(tree.cleanup)

    # -- steps ----------------------------------------------------------------------------------------------

    async def _options(self, principal: Principal, project_id: str, data: ImportRequest) -> ImportOptions:
        async with self.db.read() as session:
            access = await project_access(session, principal, project_id, now=self.now())
            project = access.project
            require_module(project, "knowledge_base")
            template = await usable_template(session, project, DOC_TEMPLATE)
            language = normalize_locale(data.language) if data.language else project.default_locale
            return ImportOptions(
                language=language,
                doc_template_id=template.id,
                template_fields=tuple(template.fields),
                include_drafts=data.include_drafts,
                limits=ImportLimits(),
            )

    async def _plan(
        self, principal: Principal, project_id: str, plan: ImportPlan, *, approve: bool
    ) -> ImportReport:
        now = self.now()
        async with self.db.read() as session:
            access = await project_access(session, principal, project_id, now=now)
            template = await usable_template(session, access.project, DOC_TEMPLATE)
            loaded = await plan_changes(session, project_id, plan)
            changes = loaded.changes
            t = Target(
                session, self.ctx, access.project, principal, list(template.fields), "plan", False, False, now
            )
            reports = {f.path: f for f in plan.files}
            pages: list[ImportPageView] = []
            for page, why in changes.conflicts:
                reports[page.source_path].settle("failed", "slug_in_use", why)
                pages.append(view(page, "conflict", None, why))
            for page in changes.new:
                problem = page_problem(t, page)
                if problem:
                    reports[page.source_path].settle("failed", "page_refused", problem)
                pages.append(view(page, "failed" if problem else "create", None, problem or ""))
            pages += [view(p, "update", r.page_path) for p, r in changes.changed]
            for p, r in changes.unchanged:
                row = loaded.pages.get(r.page_path or "")
                pending = approve and row is not None and row.draft_revision_id and not row.draft_approved
                pages.append(view(p, "approve" if pending else "unchanged", r.page_path))
            pages += [
                ImportPageView(
                    slug=r.slug,
                    language=r.language,
                    source_path=r.source_path,
                    action="removed",
                    path=r.page_path,
                    reason="Its file is no longer in the tree.",
                )
                for r in changes.removed
            ]
            groups, _ = await load_navigation(session, project_id)
            existing = {g.title.get(plan.language): g.page_slugs for g in groups}
            nav = [
                ImportGroupView(
                    title=g.title,
                    page_slugs=g.page_slugs,
                    action="create"
                    if g.title not in existing
                    else "unchanged"
                    if existing[g.title] == g.page_slugs
                    else "update",
                )
                for g in plan.groups
            ]
        return report(project_id, plan, Outcome(pages, nav, []), applied=False)

    async def _apply(
        self,
        principal: Principal,
        project_id: str,
        root: Path,
        plan: ImportPlan,
        data: ImportRequest,
        origin: str,
        progress: Progress | None,
    ) -> ImportReport:
        reports = {f.path: f for f in plan.files}
        if plan.images:
            # Images are stored in transactions of their own: refuse what the page write would refuse
            # (access, the page quota) before storing any, so a refused import stores nothing either.
            async with self.db.read() as session:
                access = await project_access(session, principal, project_id, now=self.now())
                loaded = await plan_changes(session, project_id, plan)
                if loaded.changes.new:
                    check_quota(access.project, "max_pages", len(loaded.pages), adding=len(loaded.changes.new))
            await store_images(self.images, principal, project_id, root, plan, reports)
        now = self.now()
        async with self.db.write() as session:
            access = await project_access(session, principal, project_id, now=now, lock=True)
            project = access.project
            template = await usable_template(session, project, DOC_TEMPLATE)
            loaded = await plan_changes(session, project_id, plan)
            changes = loaded.changes
            target = Target(
                session,
                self.ctx,
                project,
                principal,
                list(template.fields),
                origin,
                data.approve,
                data.unpublish_removed,
                now,
                progress,
                loaded.pages,
                loaded.sources,
            )
            outcome = await apply_changes(target, plan, changes, reports)
            result = report(project_id, plan, outcome, applied=True)
            audit(
                session,
                principal,
                "import.apply",
                project_id=project_id,
                at=now,
                detail={"origin": origin, "kind": plan.kind, **result.counts},
            )
            return result


def _file_view(f: FileReport) -> ImportFileView:
    return ImportFileView(
        path=f.path,
        status=f.status,
        code=f.code,
        reason=f.reason,
        slug=f.slug,
        language=f.language,
        notes=[ImportNoteView(line=n.line, kind=n.kind, code=n.code, message=n.message) for n in f.notes],
    )


def report(project_id: str, plan: ImportPlan, outcome: Outcome, *, applied: bool) -> ImportReport:
    files = [_file_view(f) for f in plan.files]
    counts = {
        action: 0
        for action in (
            "create",
            "update",
            "unchanged",
            "approve",
            "conflict",
            "removed",
            "unpublished",
            "deleted",
        )
    }
    for page in outcome.pages:
        if page.action in counts:
            counts[page.action] += 1
    for status in ("imported", "converted", "skipped", "failed"):
        counts[f"files_{status}"] = sum(f.status == status for f in files)
    counts["images"] = len(plan.images)
    counts["groups"] = len(plan.groups)
    return ImportReport(
        project_id=project_id,
        kind=plan.kind,
        site_name=plan.site_name,
        applied=applied,
        counts=counts,
        pages=outcome.pages,
        navigation=outcome.groups,
        files=files,
        notes=[ImportNoteView(line=n.line, kind=n.kind, code=n.code, message=n.message) for n in plan.notes],
        written=outcome.written,
    )
