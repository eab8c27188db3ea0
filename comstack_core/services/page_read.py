"""Reading one page for a caller in a single statement: the hot path of get-page-content.

The general helpers (``project_access``, ``find_page``, ``revision``, ``template_fields``) take one
statement each in an ORM session; a page read is the most frequent call assistants make, so here the
project, the caller's membership, the page, both of its revisions and its template's fields come back
in one row of plain columns, read without a session (``Database.fetch_one``), and the same access
rules (``authorize``) and errors apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, and_, bindparam, func, select
from sqlmodel import col

from ..auth import Principal
from ..db import Database
from ..errors import InvalidInput
from ..models import DocTemplate, Member, Page, PageRevision, Project
from ..models.columns import ModelColumns
from ..rules.locales import normalize_locale
from ..rules.slugs import validate_slug
from ..schemas import PageRef
from .access import Access, authorize, check_key_project, not_found
from .page_store.queries import page_not_found

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


def _statement(page_match: Any) -> Any:
    # Built once per shape: constructing a statement costs more than SQLite takes to run it.
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
        .outerjoin(
            Member, and_(col(Member.project_id) == Project.id, col(Member.user_id) == bindparam("user_id"))
        )
        .outerjoin(_PAGE.table, and_(page.project_id == Project.id, page_match))
        .outerjoin(_DRAFT.table, draft.id == page.draft_revision_id)
        .outerjoin(_LIVE.table, live.id == page.live_revision_id)
        .outerjoin(DocTemplate, col(DocTemplate.id) == page.doc_template_id)
        .where(col(Project.id) == bindparam("project_id"))
    )


_BY_PATH = _statement(_PAGE.table.c.id == bindparam("path"))
_BY_SLUG = _statement(
    and_(
        _PAGE.table.c.slug == bindparam("slug"),
        _PAGE.table.c.language == func.coalesce(bindparam("language", type_=String), Project.default_locale),
    )
)


@dataclass
class PageRead:
    access: Access
    page: Page
    draft: PageRevision | None
    live: PageRevision | None
    fields: list[dict[str, Any]]


async def read_page(
    db: Database, principal: Principal, project_id: str, ref: PageRef, *, now: datetime
) -> PageRead:
    """The page for the current use case (its declared need is checked like ``project_access`` does)."""
    check_key_project(principal, project_id)
    # A malformed slug or locale is reported after the access check, as find_page does, so the
    # answer for a project the caller cannot see never depends on the rest of the input.
    bad_input: InvalidInput | None = None
    slug, language = ref.slug, ref.language
    if not ref.path:  # a path is the whole handle; slug and language only matter without one
        try:
            slug = validate_slug(ref.slug)
            language = normalize_locale(ref.language) if ref.language else None
        except InvalidInput as error:
            bad_input = error
    user_id = principal.user_id if principal.kind == "user" else None
    if ref.path:
        params: dict[str, Any] = {"project_id": project_id, "user_id": user_id, "path": ref.path}
        statement = _BY_PATH
    else:
        params = {"project_id": project_id, "user_id": user_id, "slug": slug, "language": language}
        statement = _BY_SLUG
    row = await db.fetch_one(statement, params)
    project = _PROJECT.load(row[:_ROLE]) if row is not None else None
    if row is None or project is None:
        raise not_found(project_id)
    page = _PAGE.load(row[_PAGE_AT:_DRAFT_AT])
    draft, live = _DRAFT.load(row[_DRAFT_AT:_LIVE_AT]), _LIVE.load(row[_LIVE_AT:_FIELDS])
    fields = row[_FIELDS]
    access = authorize(principal, project, row[_ROLE], now=now)
    if bad_input is not None:
        raise bad_input
    if page is None:
        label = f"path {ref.path!r}" if ref.path else f"slug {slug!r} in {language or project.default_locale}"
        raise page_not_found(label, project)
    return PageRead(access=access, page=page, draft=draft, live=live, fields=list(fields or []))
