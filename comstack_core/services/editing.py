"""Edit Mode: one draft per page, cloned from live on the first change; saves carry their base version."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..auth import Principal
from ..clock import new_id
from ..errors import Conflict, InvalidInput, StaleVersion, WrongTool
from ..models import DocTemplate, Page, PageRevision, Project
from ..rules.locales import module_locales
from ..rules.slugs import validate_slug
from ..rules.templates import check_metadata_types, missing_required
from ..schemas import (
    DraftDiscarded,
    DraftOpen,
    DraftOpened,
    DraftSave,
    LintFindingView,
    PageCreate,
    PageRef,
    PageSaved,
    PageUpdate,
)
from ..usecases import Need, use_case
from .access import check_quota, project_access, require_module
from .base import Context, Service, audit
from .page_store import search_index
from .page_store.queries import current_content, find_page, resolve_language, template_fields, usable_template
from .page_store.status import derive_status, page_view
from .page_store.urls import check_url_free
from .page_store.writes import Content, commit_draft, page_type_for
from .templates import doc_template_view


def merge_metadata(current: dict[str, Any], changes: dict[str, Any] | None) -> dict[str, Any]:
    """Metadata is merged on save; a key set to null is removed."""
    merged = dict(current)
    for key, value in (changes or {}).items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def knowledge_lint(content: Content) -> list[LintFindingView]:
    """Bounds that are hard rules for custom pages are advice for knowledge pages."""
    findings = []
    if not 10 <= len(content.title) <= 60:
        findings.append(
            LintFindingView(
                rule="title-length",
                message=f"Title is {len(content.title)} characters; 10-60 reads best in search results.",
            )
        )
    if len(content.description) < 50:
        findings.append(
            LintFindingView(
                rule="description-length",
                message="Description is under 50 characters; write 50-160 for search and llms.txt.",
            )
        )
    elif len(content.description) > 160:
        findings.append(
            LintFindingView(
                rule="description-length",
                message="Description is over 160 characters; search engines will crop it.",
            )
        )
    return findings


def check_language(project: Project, language: str, module: str) -> None:
    require_module(project, module)
    allowed = module_locales(project.modules, module) or [project.default_locale]
    if language not in allowed:
        raise InvalidInput(
            f"Language {language} is not enabled for {module.replace('_', ' ')} in this project; enabled: "
            f"{', '.join(allowed)}. A manager can add it in the project settings.",
            code="language_not_enabled",
        )


def saved(page: Page, rev: PageRevision, content: Content, fields: list[dict[str, Any]]) -> PageSaved:
    return PageSaved(
        page=page_view(page, rev, variant="draft", fields=fields),
        changed=True,
        lint_findings=knowledge_lint(content),
        missing_required=missing_required(fields, content.metadata),
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
        now = self.now()
        async with self.db.write(short=True) as session:
            access = await project_access(session, principal, project_id, now=now)
            return await save_existing_page(
                session, self.ctx, principal, access.project, ref, base_version, changes
            )


async def create_knowledge_page(
    session: AsyncSession, ctx: Context, principal: Principal, project: Project, data: PageCreate, now: datetime
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
    rev = await commit_draft(session, ctx, project, page, content, principal, note="created", action="page.create")
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
    if page.page_type == "custom":
        raise WrongTool(
            f"{page.slug!r} is a custom page: change it with upload-custom-page (it re-runs the HTML checks).",
        )
    if base_version != page.version:
        raise StaleVersion(
            f"Page {page.slug!r} changed since version {base_version}; it is now version {page.version}. "
            "Reload it (get-page-content), reapply your change, and save with the new version.",
            current_version=page.version,
        )
    base, _ = await current_content(session, page)
    content = Content.of(base)
    for name in ("title", "description", "content"):
        if changes.get(name) is not None:
            setattr(content, name, changes[name])
    content.metadata = merge_metadata(content.metadata, changes.get("metadata"))
    fields = await template_fields(session, page.doc_template_id)
    check_metadata_types(fields, content.metadata)
    page_changed = False
    for name in ("publish_at", "audience"):
        if name in changes and changes[name] is not None and getattr(page, name) != changes[name]:
            setattr(page, name, changes[name])
            page_changed = True
    if content == Content.of(base) and not page_changed:
        return PageSaved(
            page=page_view(page, base, variant="draft" if page.draft_revision_id else "live", fields=fields),
            changed=False,
            lint_findings=knowledge_lint(content),
            missing_required=missing_required(fields, content.metadata),
        )
    rev = await commit_draft(
        session,
        ctx,
        project,
        page,
        content,
        principal,
        note="edited",
        action="page.update",
    )
    return saved(page, rev, content, fields)


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
