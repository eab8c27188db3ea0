"""Reading one page for a caller without an ORM session: the hot path of get-page-content.

It is the session path (``project_access`` + ``find_page`` + ``revision`` + ``template_fields``) fused
into one statement: the same membership join (``CALLER_MEMBERSHIP``), the same page clauses
(``page_handle`` / ``PAGE_MATCH``), the same access rules (``authorize``), the same errors in the same
order, and the same translation rule. Only the reading differs: the project, the caller's role, the page,
both of its revisions and its template's fields come back in one row of plain columns
(``Database.fetch_one``), which costs a fraction of loading them through a session.
``tests/core/test_page_read.py`` holds the two paths to the same answers for every kind of handle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, cast

from sqlalchemy import and_, bindparam, select
from sqlmodel import col

from ..auth import Principal
from ..db import Database
from ..errors import InvalidInput
from ..models import DocTemplate, Member, Page, PageRevision, Project
from ..models.columns import ModelColumns
from ..schemas import PageRef, PageView
from .access import CALLER_MEMBERSHIP, Access, authorize, caller_params, check_key_project, not_found
from .page_store.queries import (
    PAGE_MATCH,
    VARIANTS,
    HandleKind,
    page_handle,
    page_not_found,
    translation_gaps,
    translation_sources,
)
from .page_store.status import page_view

_PROJECT = ModelColumns(Project)
_PAGE = ModelColumns(Page)
_DRAFT = ModelColumns(PageRevision, alias="draft_revision")
_LIVE = ModelColumns(PageRevision, alias="live_revision")
# Where each part starts in the row: project, member role, page, draft, live, template fields.
_ROLE = len(_PROJECT.columns)
_PAGE_AT = _ROLE + 1
_DRAFT_AT = _PAGE_AT + len(_PAGE.columns)
_LIVE_AT = _DRAFT_AT + len(_DRAFT.columns)
_FIELDS = _LIVE_AT + len(_LIVE.columns)


def _statement(kind: HandleKind) -> Any:
    page, draft, live = _PAGE.table.c, _DRAFT.table.c, _LIVE.table.c
    return (
        select(
            *_PROJECT.columns,
            col(Member.role),
            *_PAGE.columns,
            *_DRAFT.columns,
            *_LIVE.columns,
            col(DocTemplate.fields),
        )
        .select_from(_PROJECT.table)
        .outerjoin(Member, CALLER_MEMBERSHIP)
        .outerjoin(_PAGE.table, and_(page.project_id == col(Project.id), PAGE_MATCH[kind]))
        .outerjoin(_DRAFT.table, draft.id == page.draft_revision_id)
        .outerjoin(_LIVE.table, live.id == page.live_revision_id)
        .outerjoin(DocTemplate, col(DocTemplate.id) == page.doc_template_id)
        .where(col(Project.id) == bindparam("project_id"))
    )


# Built once per kind of handle: constructing a statement costs more than SQLite takes to run it.
_STATEMENTS = {kind: _statement(kind) for kind in PAGE_MATCH}


@dataclass
class PageRead:
    access: Access
    page: Page
    draft: PageRevision | None
    live: PageRevision | None
    fields: list[dict[str, Any]]
    needs_translation: bool
    # The view of each revision, made once per answer and shared with every call the answer is kept for.
    views: dict[str, PageView] = field(default_factory=dict, repr=False)

    def view(self, variant: Literal["draft", "live"]) -> PageView:
        """The page view of its draft or live revision (the caller has checked that one exists). Each call
        gets its own copy: a caller may set ``images`` or change the metadata without touching the kept one."""
        made = self.views.get(variant)
        if made is None:
            rev = self.draft if variant == "draft" else self.live
            assert rev is not None
            made = page_view(self.page, rev, variant=variant, fields=self.fields,
                             needs_translation=self.needs_translation)
            self.views[variant] = made
        return made.model_copy(update={"metadata": dict(made.metadata), "images": list(made.images)})


@dataclass(frozen=True)
class _Found:
    """What the statement found for one set of parameters: the database's answer alone (no clock, no
    caller beyond the parameters), so it may be kept until the next commit (``Database.read_cache``)."""

    project: Project | None
    role: str | None
    page: Page | None
    draft: PageRevision | None
    live: PageRevision | None
    fields: list[dict[str, Any]]
    needs_translation: bool
    views: dict[str, PageView] = field(default_factory=dict)  # PageRead.view's, kept with the answer


async def read_page(
    db: Database, principal: Principal, project_id: str, ref: PageRef, *, now: datetime
) -> PageRead:
    """The page for the current use case (its declared need is checked like ``project_access`` does)."""
    check_key_project(principal, project_id)
    # A malformed slug or locale is reported after the access check, as the session path does (it
    # checks access before find_page), so the answer for a project the caller cannot see never
    # depends on the rest of the input.
    bad_input: InvalidInput | None = None
    try:
        handle = page_handle(ref)
        kind, handle_params = handle.kind, handle.params
    except InvalidInput as error:
        bad_input, kind, handle_params = error, "path", {"path": None}  # matches no page
    found = await _find(db, kind, {**caller_params(principal, project_id), **handle_params})
    project = found.project
    if project is None:
        raise not_found(project_id)
    # The access rules run on every call, cached answer or not: they depend on the caller and the clock.
    access = authorize(principal, project, found.role, now=now)
    if bad_input is not None:
        raise bad_input
    if found.page is None:
        raise page_not_found(handle.label(project), project)
    return PageRead(
        access=access,
        page=found.page,
        draft=found.draft,
        live=found.live,
        fields=list(found.fields),
        needs_translation=found.needs_translation,
        views=found.views,
    )


async def _find(db: Database, kind: HandleKind, params: dict[str, Any]) -> _Found:
    cache, version = db.read_cache, None
    key = ("page_read", kind, *params.items())
    if cache is not None:
        cached, version = cache.lookup(key)
        if cached is not None:
            return cast(_Found, cached)
    row = await db.fetch_one(_STATEMENTS[kind], params)
    project = _PROJECT.load(row[:_ROLE]) if row is not None else None
    if row is None or project is None:
        return _Found(None, None, None, None, None, [], False)
    page = _PAGE.load(row[_PAGE_AT:_DRAFT_AT])
    found = _Found(
        project=project,
        role=row[_ROLE],
        page=page,
        draft=_DRAFT.load(row[_DRAFT_AT:_LIVE_AT]),
        live=_LIVE.load(row[_LIVE_AT:_FIELDS]),
        fields=list(row[_FIELDS] or []),
        needs_translation=page is not None and await _needs_translation(db, project, page),
    )
    if cache is not None and page is not None:  # only pages found: a stream of misses would crowd them out
        cache.store(key, found, version)
    return found


async def _needs_translation(db: Database, project: Project, page: Page) -> bool:
    sources = translation_sources(project, [page])
    if not sources:
        return False
    return page.id in translation_gaps(
        project, sources, await db.fetch_all(VARIANTS, {"project_id": project.id})
    )
