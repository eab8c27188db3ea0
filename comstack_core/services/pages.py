"""Reading pages, their status, revisions, visibility and deletion."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import func
from sqlmodel import col, select

from ..auth import Principal, Role
from ..errors import Conflict, InvalidInput, NotFound, StaleVersion
from ..images.refs import mentioned
from ..models import Page, PageRevision
from ..rules.templates import missing_required
from ..schemas import (
    PageFilter,
    PageList,
    PageRef,
    PageStatusUpdate,
    PageSummary,
    PageView,
    RevisionView,
    VisibilityUpdate,
)
from ..site.preview import render_preview
from ..usecases import Need, use_case
from .access import check_name_echo, project_access
from .base import Service, audit
from .images import resolve_images
from .page_read import read_page
from .page_store import search_index
from .page_store.queries import (
    Progress,
    current_content,
    find_page,
    resolve_language,
    revision,
    session_translation_gaps,
    template_fields,
)
from .page_store.status import derive_status, page_view
from .page_store.urls import check_url_free
from .page_store.writes import Content, remove_page, write_revision


class PageService(Service):
    @use_case(Need.viewer, writes=False)
    async def get_page(
        self, principal: Principal, project_id: str, ref: PageRef, *, variant: str = "auto"
    ) -> PageView:
        """``variant``: 'live', 'draft', or 'auto' (the draft when there is one and the caller may edit)."""
        read = await read_page(self.db, principal, project_id, ref, now=self.now())
        page = read.page
        wants_draft = variant == "draft" or (variant == "auto" and read.access.role >= Role.editor)
        got: Literal["draft", "live"] = "live"
        rev = None
        if wants_draft and read.draft is not None:
            rev, got = read.draft, "draft"
        if rev is None and variant != "draft":
            rev, got = read.live, "live"
        if rev is None:
            # 'auto' falls back to live here, so name what is missing rather than the mode asked for.
            missing = "draft" if variant == "draft" else "live"
            raise NotFound(
                f"Page {page.slug!r} ({page.language}) has no {missing} version"
                + ("; it is not published yet, ask for the draft." if missing == "live" else "."),
                code="version_not_found",
            )
        view = read.view(got)
        text = rev.body_source if page.page_type == "custom" else rev.content
        if mentioned(text):  # the editor-facing read resolves the images the page names
            view.images = await resolve_images(self.db, project_id, text, self.ctx.settings.public_url)
        return view

    @use_case(Need.viewer, writes=False)
    async def preview_page(
        self, principal: Principal, project_id: str, ref: PageRef, *, variant: str = "auto"
    ) -> str:
        """The page as a standalone HTML document, its Markdown rendered as the site renders it."""
        return render_preview(await self.get_page(principal, project_id, ref, variant=variant))

    @use_case(Need.viewer, writes=False)
    async def list_pages(
        self, principal: Principal, project_id: str, filters: PageFilter | None = None
    ) -> PageList:
        filters = filters or PageFilter()
        async with self.db.read() as session:
            access = await project_access(session, principal, project_id, now=self.now())
            statement = select(Page).where(Page.project_id == project_id)
            if filters.language:
                statement = statement.where(
                    Page.language == resolve_language(access.project, filters.language)
                )
            for column in ("status", "audience", "doc_template_id", "page_type"):
                value = getattr(filters, column)
                if value:
                    statement = statement.where(getattr(Page, column) == value)
            if filters.slug_prefix:
                statement = statement.where(col(Page.slug).startswith(filters.slug_prefix))
            total = (await session.exec(select(func.count()).select_from(statement.subquery()))).one()
            pages = list(
                await session.exec(
                    statement.order_by(Page.language, Page.slug).offset(filters.offset).limit(filters.limit)
                )
            )
            gaps = await session_translation_gaps(session, access.project, pages)
            summaries = []
            progress = Progress(session, gaps)
            for page in pages:
                rev, status, action = await progress.of(page)
                summaries.append(
                    PageSummary(
                        path=page.id,
                        slug=page.slug,
                        language=page.language,
                        title=rev.title,
                        description=rev.description,
                        page_type=page.page_type,
                        doc_template_id=page.doc_template_id,
                        audience=page.audience,
                        status=status,
                        next_action=action,
                        version=page.version,
                        updated_at=page.updated_at,
                    )
                )
            return PageList(total=total, pages=summaries)

    @use_case(Need.editor, writes=True)
    async def set_page_status(
        self, principal: Principal, project_id: str, ref: PageRef, data: PageStatusUpdate
    ) -> PageView:
        """ready = approve the draft (editor), draft = withdraw approval (editor), unpublished = take down (manager)."""
        now = self.now()
        # Taking a page down is a manager's call, like deleting it.
        at_least = Role.manager if data.status == "unpublished" else None
        async with self.db.write() as session:
            access = await project_access(session, principal, project_id, now=now, at_least=at_least)
            check_name_echo(access.project, data.project_name)
            page = await find_page(session, access.project, ref, lock=True)
            fields = await template_fields(session, page.doc_template_id)
            if data.status == "ready":
                draft = await revision(session, page.draft_revision_id)
                if draft is None:
                    raise Conflict(
                        f"Page {page.slug!r} has no draft to approve; edit it first.", code="no_draft"
                    )
                missing = missing_required(fields, draft.page_metadata or {})
                if missing:
                    raise InvalidInput(
                        f"Cannot approve {page.slug!r}: required template fields are missing: {', '.join(missing)}. "
                        "Fill them with update-page, then approve.",
                        code="missing_required_fields",
                        missing_fields=missing,
                    )
                await check_url_free(
                    session, access.project, page.language, page.slug, page.page_type, page_id=page.id
                )
                page.draft_approved = True
            elif data.status == "draft":
                if page.draft_revision_id is None:
                    raise Conflict(f"Page {page.slug!r} has no draft.", code="no_draft")
                page.draft_approved = False
            else:
                if page.live_revision_id is None:
                    raise Conflict(
                        f"Page {page.slug!r} is not live; discard its draft instead.", code="not_live"
                    )
                page.unpublished = True
            page.status = derive_status(page)
            page.version += 1
            page.updated_at, page.updated_by = now, principal.actor_id
            session.add(page)
            audit(
                session,
                principal,
                f"page.status.{data.status}",
                project_id=project_id,
                targets=[page.id],
                at=now,
            )
            rev, variant = await current_content(session, page)
            return page_view(page, rev, variant=variant, fields=fields)

    @use_case(Need.editor, writes=True)
    async def set_visibility(
        self, principal: Principal, project_id: str, ref: PageRef, data: VisibilityUpdate
    ) -> PageView:
        now = self.now()
        async with self.db.write() as session:
            access = await project_access(session, principal, project_id, now=now)
            page = await find_page(session, access.project, ref, lock=True)
            if page.audience != data.audience:
                page.audience = data.audience
                page.version += 1
                page.updated_at, page.updated_by = now, principal.actor_id
                session.add(page)
                await search_index.reindex(session, page)
                audit(
                    session,
                    principal,
                    "page.visibility",
                    project_id=project_id,
                    targets=[page.id],
                    detail={"audience": data.audience},
                    at=now,
                )
            rev, variant = await current_content(session, page)
            return page_view(
                page, rev, variant=variant, fields=await template_fields(session, page.doc_template_id)
            )

    @use_case(Need.manager, writes=True)
    async def delete_page(
        self, principal: Principal, project_id: str, ref: PageRef, project_name: str
    ) -> None:
        """Delete a page with all its revisions; a deployed page leaves the site at the next publish."""
        now = self.now()
        async with self.db.write() as session:
            access = await project_access(session, principal, project_id, now=now)
            check_name_echo(access.project, project_name)
            page = await find_page(session, access.project, ref, lock=True)
            await remove_page(
                session, principal, page, at=now, detail={"slug": page.slug, "language": page.language}
            )

    @use_case(Need.viewer, writes=False)
    async def list_revisions(self, principal: Principal, project_id: str, ref: PageRef) -> list[RevisionView]:
        async with self.db.read() as session:
            access = await project_access(session, principal, project_id, now=self.now())
            page = await find_page(session, access.project, ref)
            rows = await session.exec(
                select(PageRevision)
                .where(PageRevision.page_id == page.id)
                .order_by(col(PageRevision.number).desc())
            )
            return [
                RevisionView(
                    id=r.id,
                    number=r.number,
                    title=r.title,
                    description=r.description,
                    note=r.note,
                    published=r.published,
                    is_draft=r.id == page.draft_revision_id,
                    is_live=r.id == page.live_revision_id,
                    created_at=r.created_at,
                    created_by=r.created_by,
                )
                for r in rows
            ]

    @use_case(Need.editor, writes=True)
    async def restore_revision(
        self,
        principal: Principal,
        project_id: str,
        ref: PageRef,
        revision_number: int,
        base_version: int | None = None,
    ) -> PageView:
        """Copy an old revision's content into the draft (a new revision); the live site is untouched."""
        now = self.now()
        async with self.db.write() as session:
            access = await project_access(session, principal, project_id, now=now)
            page = await find_page(session, access.project, ref, lock=True)
            if base_version is not None and base_version != page.version:
                raise StaleVersion(
                    f"Page {page.slug!r} changed since version {base_version}; it is now version {page.version}.",
                    current_version=page.version,
                )
            old = (
                await session.exec(
                    select(PageRevision).where(
                        PageRevision.page_id == page.id, PageRevision.number == revision_number
                    )
                )
            ).first()
            if old is None:
                raise NotFound(
                    f"Page {page.slug!r} has no revision {revision_number}; see list-page-revisions.",
                    code="revision_not_found",
                )
            rev = await write_revision(
                session,
                page,
                Content.of(old),
                principal=principal,
                note=f"restored revision {revision_number}",
                ctx=self.ctx,
            )
            page.draft_revision_id, page.draft_approved = rev.id, False
            page.status = derive_status(page)
            page.version += 1
            page.updated_at, page.updated_by = now, principal.actor_id
            session.add(page)
            await session.flush()
            await search_index.reindex(session, page)
            audit(
                session,
                principal,
                "page.restore",
                project_id=project_id,
                targets=[page.id, rev.id],
                detail={"revision": revision_number},
                at=now,
            )
            return page_view(
                page, rev, variant="draft", fields=await template_fields(session, page.doc_template_id)
            )
