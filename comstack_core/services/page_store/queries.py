"""Finding pages, and the revisions, templates and translation gaps that go with them: one statement each,
in the caller's session.

How a page reference finds its row (``page_handle``) and which live pages lack a translation
(``translation_sources`` + ``translation_gaps``) are written once here and shared with the session-free
page read (``services.page_read``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, String, and_, bindparam, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ...errors import InvalidInput, NotFound
from ...models import DocTemplate, Page, PageRevision, Project
from ...rules.locales import enabled, module_locales, normalize_locale
from ...rules.slugs import validate_slug
from ...rules.templates import missing_required
from ...schemas import PageRef
from .status import derive_status, next_action


def resolve_language(project: Project, language: str | None) -> str:
    return normalize_locale(language) if language else project.default_locale


HandleKind = Literal["path", "slug"]

# A page row matching a handle, in a statement that joins the page's project (whose id is the
# ``project_id`` parameter): a path is the whole handle; a slug without a language means the project's
# default locale, read from the joined row so the clause works before the project is loaded.
PAGE_MATCH: dict[HandleKind, ColumnElement[bool]] = {
    "path": col(Page.id) == bindparam("path"),
    "slug": and_(
        col(Page.slug) == bindparam("slug"),
        col(Page.language) == func.coalesce(bindparam("language", type_=String), col(Project.default_locale)),
    ),
}


@dataclass(frozen=True)
class PageHandle:
    """A checked page reference: which ``PAGE_MATCH`` clause finds it, and with which parameters."""

    kind: HandleKind
    params: dict[str, Any]

    def label(self, project: Project) -> str:
        if self.kind == "path":
            return f"path {self.params['path']!r}"
        return f"slug {self.params['slug']!r} in {self.params['language'] or project.default_locale}"


def page_handle(ref: PageRef) -> PageHandle:
    """Check a reference (slug and locale formats; raises ``InvalidInput``)."""
    if ref.path:  # a path is the whole handle; slug and language only matter without one
        return PageHandle("path", {"path": ref.path})
    language = normalize_locale(ref.language) if ref.language else None
    return PageHandle("slug", {"slug": validate_slug(ref.slug), "language": language})


def _find(kind: HandleKind, *, lock: bool) -> Any:
    statement = (
        select(Page)
        .join(Project, col(Project.id) == col(Page.project_id))
        .where(col(Project.id) == bindparam("project_id"), PAGE_MATCH[kind])
    )
    return statement.with_for_update(of=Page) if lock else statement


# Built once: constructing a statement costs about as much as running a small one.
_FIND = {(kind, lock): _find(kind, lock=lock) for kind in PAGE_MATCH for lock in (False, True)}


async def find_page(session: AsyncSession, project: Project, ref: PageRef, *, lock: bool = False) -> Page:
    handle = page_handle(ref)
    params = {"project_id": project.id, **handle.params}
    page = (await session.exec(_FIND[handle.kind, lock], params=params)).first()
    if page is None:
        raise page_not_found(handle.label(project), project)
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


# Every locale variant of the project's pages (``project_id`` parameter): what translation_gaps compares.
VARIANTS = select(Page.canonical_slug, Page.language, Page.source_hash).where(
    Page.project_id == bindparam("project_id"), col(Page.translation_of).is_not(None)
)


def translation_sources(project: Project, pages: list[Page]) -> list[Page]:
    """The live source pages among ``pages`` whose variants need checking: none in a one-locale project,
    which then skips the ``VARIANTS`` query."""
    extra_locales = any(
        len(module_locales(project.modules, m)) > 1
        for m in ("knowledge_base", "custom_pages")
        if enabled(project.modules, m)
    )
    return [p for p in pages if p.translation_of is None and p.live_hash] if extra_locales else []


def translation_gaps(project: Project, sources: list[Page], variant_rows: Iterable[Any]) -> set[str]:
    """Ids of ``sources`` with a locale variant that is missing or older than the source;
    ``variant_rows`` are the ``VARIANTS`` rows (slug, language, source hash)."""
    variants = {(slug, lang): src for slug, lang, src in variant_rows}
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


async def session_translation_gaps(session: AsyncSession, project: Project, pages: list[Page]) -> set[str]:
    """``translation_gaps`` for pages read in ``session``, their variants read in the same snapshot."""
    sources = translation_sources(project, pages)
    if not sources:
        return set()
    return translation_gaps(project, sources, await session.exec(VARIANTS, params={"project_id": project.id}))


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
