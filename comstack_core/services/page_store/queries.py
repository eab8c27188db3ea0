"""Finding pages, and the revisions, templates and translation gaps that go with them: one statement each,
in the caller's session (``translation_gaps`` also reads without one)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ...db import Database
from ...errors import InvalidInput, NotFound
from ...models import DocTemplate, Page, PageRevision, Project
from ...rules.locales import enabled, module_locales, normalize_locale
from ...rules.slugs import validate_slug
from ...rules.templates import missing_required
from ...schemas import PageRef
from .status import derive_status, next_action


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
