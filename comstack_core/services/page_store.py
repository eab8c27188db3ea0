"""Loading pages and writing revisions: the machinery shared by the page use cases."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..auth import Principal
from ..clock import new_id
from ..db import Database
from ..errors import InvalidInput, NotFound
from ..models import DocTemplate, Page, PageRevision, Project
from ..rules.locales import enabled, module_locales, normalize_locale
from ..rules.slugs import validate_slug
from ..rules.templates import CUSTOM_PAGE_TEMPLATE, missing_required
from ..schemas import PageRef, PageView
from . import search_index
from .base import Context, audit


@dataclass
class Content:
    """What a revision holds; two equal Contents mean a save changed nothing."""

    title: str
    description: str
    content: str
    body_source: str | None
    body_format: str | None
    metadata: dict[str, Any]
    translatable_strings: dict[str, str] | None = None

    @classmethod
    def of(cls, rev: PageRevision) -> Content:
        return cls(
            rev.title,
            rev.description,
            rev.content,
            rev.body_source,
            rev.body_format,
            dict(rev.page_metadata or {}),
            rev.translatable_strings,
        )

    def digest(self) -> str:
        blob = json.dumps(
            [
                self.title,
                self.description,
                self.content,
                self.body_source,
                self.body_format,
                self.metadata,
                self.translatable_strings,
            ],
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(blob.encode()).hexdigest()


def page_type_for(template_id: str, metadata: dict[str, Any]) -> str:
    return (
        "custom" if template_id == CUSTOM_PAGE_TEMPLATE or metadata.get("type") == "custom" else "knowledge"
    )


def derive_status(page: Page) -> str:
    if page.draft_revision_id:
        return "ready" if page.draft_approved else "draft"
    if page.unpublished:
        return "unpublished"
    return "live" if page.live_revision_id else "draft"


def resolve_language(project: Project, language: str | None) -> str:
    return normalize_locale(language) if language else project.default_locale


async def find_page(session: AsyncSession, project: Project, ref: PageRef, *, lock: bool = False) -> Page:
    if ref.path:
        statement = select(Page).where(Page.id == ref.path, Page.project_id == project.id)
        label = f"path {ref.path!r}"
    else:
        slug = validate_slug(ref.slug)
        language = resolve_language(project, ref.language)
        statement = select(Page).where(
            Page.project_id == project.id, Page.slug == slug, Page.language == language
        )
        label = f"slug {slug!r} in {language}"
    if lock:
        statement = statement.with_for_update()
    page = (await session.exec(statement)).first()
    if page is None:
        raise page_not_found(label, project)
    return page


def page_not_found(label: str, project: Project) -> NotFound:
    return NotFound(
        f"No page with {label} in project {project.name!r}. list-pages shows the pages that exist.",
        code="page_not_found",
    )


async def revision(session: AsyncSession, revision_id: str | None) -> PageRevision | None:
    return await session.get(PageRevision, revision_id) if revision_id else None


async def current_content(session: AsyncSession, page: Page) -> tuple[PageRevision, str]:
    """The revision an edit starts from: the draft if there is one, else live."""
    rev = await revision(session, page.draft_revision_id) or await revision(session, page.live_revision_id)
    if rev is None:  # pragma: no cover - a page always has one of them
        raise NotFound(f"Page {page.id} has no content.", code="page_not_found")
    return rev, ("draft" if page.draft_revision_id else "live")


async def write_revision(
    session: AsyncSession, page: Page, content: Content, *, principal: Principal, note: str, ctx: Context
) -> PageRevision:
    number = (
        await session.exec(
            select(func.coalesce(func.max(PageRevision.number), 0)).where(PageRevision.page_id == page.id)
        )
    ).one()
    rev = PageRevision(
        id=new_id("rev"),
        page_id=page.id,
        number=int(number) + 1,
        title=content.title,
        description=content.description,
        content=content.content,
        body_source=content.body_source,
        body_format=content.body_format,
        page_metadata=content.metadata,
        translatable_strings=content.translatable_strings,
        content_hash=content.digest(),
        note=note,
        created_at=ctx.clock(),
        created_by=principal.actor_id,
    )
    session.add(rev)
    return rev


async def template_fields(session: AsyncSession, template_id: str) -> list[dict[str, Any]]:
    template = await session.get(DocTemplate, template_id)
    return list(template.fields) if template else []


async def usable_template(session: AsyncSession, project: Project, template_id: str) -> DocTemplate:
    template = await session.get(DocTemplate, template_id)
    if template is None or template.deleted_at is not None or template_id not in project.doc_template_ids:
        raise InvalidInput(
            f"Doc template {template_id!r} is not available in this project; choose one of "
            f"{', '.join(project.doc_template_ids)} (list-project-doc-templates).",
            code="unknown_template",
        )
    return template


def next_action(page: Page, status: str, missing: list[str], needs_translation: bool) -> str:
    if status == "draft":
        return "edit" if missing else "approve"
    if status == "ready":
        return "publish"
    if status == "unpublished":
        return "publish" if page.on_site else "none"
    return "translate" if needs_translation else "none"


def page_view(
    page: Page,
    rev: PageRevision,
    *,
    variant: str,
    fields: list[dict[str, Any]],
    needs_translation: bool = False,
) -> PageView:
    status = derive_status(page)
    return PageView(
        path=page.id,
        slug=page.slug,
        language=page.language,
        title=rev.title,
        description=rev.description,
        content=rev.content,
        body_source=rev.body_source,
        body_format=rev.body_format,
        doc_template_id=page.doc_template_id,
        page_type=page.page_type,
        metadata=dict(rev.page_metadata or {}),
        audience=page.audience,
        status=status,
        next_action=next_action(
            page, status, missing_required(fields, rev.page_metadata or {}), needs_translation
        ),
        variant="draft" if variant == "draft" else "live",
        has_draft=page.draft_revision_id is not None,
        is_live=page.live_revision_id is not None,
        canonical_slug=page.canonical_slug,
        translation_of=page.translation_of,
        source_hash=page.source_hash,
        publish_at=page.publish_at,
        version=page.version,
        created_at=page.created_at,
        created_by=page.created_by,
        updated_at=page.updated_at,
        updated_by=page.updated_by,
    )


_VARIANTS = select(Page.canonical_slug, Page.language, Page.source_hash).where(
    Page.project_id == bindparam("project_id"), col(Page.translation_of).is_not(None)
)


async def translation_gaps(reader: AsyncSession | Database, project: Project, pages: list[Page]) -> set[str]:
    """Ids of live source pages with a locale variant that is missing or older than the source.

    ``reader``: the caller's session, or the database itself for a read that has no session."""
    sources = [p for p in pages if p.translation_of is None and p.live_hash]
    extra_locales = any(
        len(module_locales(project.modules, m)) > 1
        for m in ("knowledge_base", "custom_pages")
        if enabled(project.modules, m)
    )
    if not sources or not extra_locales:  # a one-locale project has nothing to translate: skip the query
        return set()
    params = {"project_id": project.id}
    if isinstance(reader, Database):
        rows: Iterable[Any] = await reader.fetch_all(_VARIANTS, params)
    else:
        rows = await reader.exec(_VARIANTS, params=params)
    variants = {(slug, lang): src for slug, lang, src in rows}
    gaps = set()
    for page in sources:
        module = "knowledge_base" if page.page_type == "knowledge" else "custom_pages"
        if not enabled(project.modules, module):
            continue
        for locale in module_locales(project.modules, module):
            if locale != page.language and variants.get((page.canonical_slug, locale)) != page.live_hash:
                gaps.add(page.id)
                break
    return gaps


async def commit_draft(
    session: AsyncSession,
    ctx: Context,
    project: Project,
    page: Page,
    content: Content,
    principal: Principal,
    *,
    note: str,
    action: str,
) -> PageRevision:
    """Write ``content`` as the page's draft revision (callers have already skipped unchanged saves)."""
    now = ctx.clock()
    is_new = page.draft_revision_id is None and page.live_revision_id is None
    rev = await write_revision(session, page, content, principal=principal, note=note, ctx=ctx)
    page.draft_revision_id, page.draft_approved = rev.id, False
    page.status = derive_status(page)
    if not is_new:
        page.version += 1
    page.updated_at, page.updated_by = now, principal.actor_id
    session.add(page)
    await session.flush()
    await search_index.reindex(session, page)
    audit(
        session,
        principal,
        action,
        project_id=project.id,
        targets=[page.id, rev.id],
        detail={"slug": page.slug, "language": page.language},
        at=now,
    )
    return rev


class Progress:
    """Each listed page's current content and next_action, with template fields read once per template."""

    def __init__(self, session: AsyncSession, gaps: set[str]) -> None:
        self.session, self.gaps = session, gaps
        self._fields: dict[str, list[dict[str, Any]]] = {}

    async def of(self, page: Page) -> tuple[PageRevision, str, str]:
        """(current revision, status, next_action)."""
        rev, _ = await current_content(self.session, page)
        if page.doc_template_id not in self._fields:
            self._fields[page.doc_template_id] = await template_fields(self.session, page.doc_template_id)
        status = derive_status(page)
        missing = missing_required(self._fields[page.doc_template_id], rev.page_metadata or {})
        return rev, status, next_action(page, status, missing, page.id in self.gaps)
