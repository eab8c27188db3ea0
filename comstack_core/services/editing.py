"""Edit Mode: one draft per page, cloned from live on the first change; saves carry their base version."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..auth import Principal
from ..clock import new_id
from ..errors import Conflict, InvalidInput, WrongTool
from ..models import DocTemplate, Page, PageRevision, Project
from ..rules.locales import module_locales
from ..rules.slugs import validate_slug
from ..rules.templates import check_metadata_types
from ..schemas import (
    DraftDiscarded,
    DraftOpen,
    DraftOpened,
    DraftSave,
    PageCreate,
    PageRef,
    PageSaved,
    PageUpdate,
)
from ..usecases import Need, use_case
from .access import check_quota, project_access, require_module
from .base import Context, Service, audit
from .page_edits import apply_changes, check_editable, saved, unchanged_save
from .page_save import save_page
from .page_store import search_index
from .page_store.queries import current_content, find_page, resolve_language, template_fields, usable_template
from .page_store.status import derive_status, page_view
from .page_store.urls import check_url_free
from .page_store.writes import Content, commit_draft, page_type_for
from .templates import doc_template_view


def check_language(project: Project, language: str, module: str) -> None:
    require_module(project, module)
    allowed = module_locales(project.modules, module) or [project.default_locale]
    if language not in allowed:
        raise InvalidInput(
            f"Language {language} is not enabled for {module.replace('_', ' ')} in this project; enabled: "
            f"{', '.join(allowed)}. A manager can add it in the project settings.",
            code="language_not_enabled",
        )


class EditService(Service):
    @use_case(Need.editor, writes=True)
    async def create_page(self, principal: Principal, project_id: str, data: PageCreate) -> PageSaved:
        now = self.now()
        async with self.db.write(short=True) as session:
            access = await project_access(session, principal, project_id, now=now, lock=True)
            return await create_knowledge_page(session, self.ctx, principal, access.project, data, now)

    @use_case(Need.editor, writes=True)
    async def update_page(
        self, principal: Principal, project_id: str, ref: PageRef, data: PageUpdate
    ) -> PageSaved:
        changes = data.model_dump(exclude_unset=True, exclude={"base_version"})
        return await self._save_existing(principal, project_id, ref, data.base_version, changes)

    @use_case(Need.editor, writes=False)
    async def open_draft(self, principal: Principal, project_id: str, data: DraftOpen) -> DraftOpened:
        """Start editing: the existing draft, or live content to clone (written only when a save changes it)."""
        async with self.db.read() as session:
            access = await project_access(session, principal, project_id, now=self.now())
            slug = validate_slug(data.slug)
            language = resolve_language(access.project, data.language)
            page = (
                await session.exec(
                    select(Page).where(
                        Page.project_id == project_id, Page.slug == slug, Page.language == language
                    )
                )
            ).first()
            if page is None:
                return DraftOpened(draft_id="new", action="new", doc=None, template=None, base_version=None)
            rev, variant = await current_content(session, page)
            fields = await template_fields(session, page.doc_template_id)
            template = await session.get_one(DocTemplate, page.doc_template_id)
            return DraftOpened(
                draft_id=page.id,
                action="existing_draft" if variant == "draft" else "cloned_from_live",
                doc=page_view(page, rev, variant="draft", fields=fields),
                template=doc_template_view(template).model_dump(),
                base_version=page.version,
            )

    @use_case(Need.editor, writes=True)
    async def save_draft(self, principal: Principal, project_id: str, data: DraftSave) -> PageSaved:
        if data.draft_id == "new":
            if not data.slug or not data.title:
                raise InvalidInput("A new page needs 'slug' and 'title'.", code="missing_fields")
            return await self.create_page(
                principal,
                project_id,
                PageCreate(
                    slug=data.slug,
                    language=data.language,
                    title=data.title,
                    description=data.description or "",
                    content=data.content or "",
                    doc_template_id=data.doc_template_id or "docs",
                    metadata=data.metadata or {},
                    audience=data.audience or "public",
                    publish_at=data.publish_at,
                ),
            )
        if data.base_version is None:
            raise InvalidInput(
                "base_version is required when saving an existing draft (from edit/open).",
                code="missing_base_version",
            )
        if data.doc_template_id is not None:
            raise InvalidInput("doc_template_id is fixed when a page is created.", code="template_fixed")
        changes = data.model_dump(
            exclude_unset=True,
            include={"title", "description", "content", "metadata", "publish_at", "audience"},
        )
        return await self._save_existing(
            principal, project_id, PageRef(path=data.draft_id), data.base_version, changes
        )

    @use_case(Need.editor, writes=True)
    async def discard_draft(self, principal: Principal, project_id: str, ref: PageRef) -> DraftDiscarded:
        """Drop the draft and its unpublished revisions; a page that was never live disappears."""
        now = self.now()
        async with self.db.write(short=True) as session:
            access = await project_access(session, principal, project_id, now=now)
            page = await find_page(session, access.project, ref, lock=True)
            if page.draft_revision_id is None:
                raise Conflict(f"Page {page.slug!r} has no draft to discard.", code="no_draft")
            live = await session.get(PageRevision, page.live_revision_id) if page.live_revision_id else None
            page.draft_revision_id, page.draft_approved = None, False
            if live is None:
                await search_index.remove(session, page.id)
                await session.delete(page)
                audit(
                    session,
                    principal,
                    "draft.discard",
                    project_id=project_id,
                    targets=[page.id],
                    detail={"page_deleted": True},
                    at=now,
                )
                return DraftDiscarded(path=page.id, page_deleted=True)
            page.status = derive_status(page)
            page.version += 1
            page.updated_at, page.updated_by = now, principal.actor_id
            session.add(page)
            await session.flush()
            await session.exec(
                delete(PageRevision).where(
                    col(PageRevision.page_id) == page.id,
                    col(PageRevision.number) > live.number,
                    col(PageRevision.published).is_(False),
                )
            )
            await search_index.reindex(session, page)
            audit(session, principal, "draft.discard", project_id=project_id, targets=[page.id], at=now)
            return DraftDiscarded(path=page.id, page_deleted=False, version=page.version)

    # -- shared --------------------------------------------------------------------------------------------

    async def _save_existing(
        self, principal: Principal, project_id: str, ref: PageRef, base_version: int, changes: dict[str, Any]
    ) -> PageSaved:
        # Plain statements, not the session: the same save as ``save_existing_page`` (see ``page_save``).
        return await save_page(self.ctx, principal, project_id, ref, base_version, changes)


async def create_knowledge_page(
    session: AsyncSession,
    ctx: Context,
    principal: Principal,
    project: Project,
    data: PageCreate,
    now: datetime,
) -> PageSaved:
    """A new knowledge page with its first draft, in the caller's transaction (which holds the project's
    lock): create-page, and ingestion saving a captured page, which records the capture in the same one."""
    slug = validate_slug(data.slug)
    language = resolve_language(project, data.language)
    template = await usable_template(session, project, data.doc_template_id)
    page_type = page_type_for(template.id, data.metadata)
    if page_type == "custom":
        raise WrongTool(
            "Custom pages are created with upload-custom-page (HTML body, name echo, lint); create-page "
            "is for knowledge pages.",
        )
    check_language(project, language, "knowledge_base")
    content = Content(data.title, data.description, data.content, None, None, dict(data.metadata))
    check_metadata_types(template.fields, content.metadata)
    page = await new_page(session, project, slug, language, template.id, page_type, principal, now)
    page.audience, page.publish_at = data.audience, data.publish_at
    rev = await commit_draft(
        session, ctx, project, page, content, principal, note="created", action="page.create"
    )
    return saved(page, rev, content, template.fields)


async def save_existing_page(
    session: AsyncSession,
    ctx: Context,
    principal: Principal,
    project: Project,
    ref: PageRef,
    base_version: int,
    changes: dict[str, Any],
) -> PageSaved:
    """Changes to a knowledge page's draft (a new revision, or nothing when nothing changed), in the
    caller's transaction."""
    page = await find_page(session, project, ref, lock=True)
    check_editable(page, base_version)
    base, _ = await current_content(session, page)
    fields = await template_fields(session, page.doc_template_id)
    edit = apply_changes(page, base, fields, changes)
    if edit.unchanged:
        return unchanged_save(page, base, edit.content, fields)
    rev = await commit_draft(
        session,
        ctx,
        project,
        page,
        edit.content,
        principal,
        note="edited",
        action="page.update",
    )
    return saved(page, rev, edit.content, fields)


async def new_page(
    session: AsyncSession,
    project: Project,
    slug: str,
    language: str,
    template_id: str,
    page_type: str,
    principal: Principal,
    now: Any,
) -> Page:
    """A page row for (slug, language), refusing duplicates, a public URL another page claims, and pages
    over the plan's max_pages."""
    exists = (
        await session.exec(
            select(Page.id).where(Page.project_id == project.id, Page.slug == slug, Page.language == language)
        )
    ).first()
    if exists:
        raise Conflict(
            f"A page {slug!r} in {language} exists already (path {exists}); edit it instead.",
            code="page_exists",
            path=exists,
        )
    await check_url_free(session, project, language, slug, page_type)
    used = (
        await session.exec(select(func.count()).select_from(Page).where(Page.project_id == project.id))
    ).one()
    check_quota(project, "max_pages", used)
    page = Page(
        id=new_id("pg"),
        project_id=project.id,
        slug=slug,
        language=language,
        doc_template_id=template_id,
        page_type=page_type,
        canonical_slug=slug,
        created_at=now,
        created_by=principal.actor_id,
        updated_at=now,
        updated_by=principal.actor_id,
    )
    session.add(page)
    return page
