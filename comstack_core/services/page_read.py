"""Reading one page for a caller in a single statement: the hot path of get-page-content.

The general helpers (``project_access``, ``find_page``, ``revision``, ``template_fields``) take one
statement each; a page read is the most frequent call assistants make, so here the project, the
caller's membership, the page, both of its revisions and its template's fields come back in one row,
and the same access rules (``authorize``) and errors apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, and_, bindparam, func
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..auth import Principal, Role
from ..errors import InvalidInput
from ..models import DocTemplate, Member, Page, PageRevision, Project
from ..rules.locales import normalize_locale
from ..rules.slugs import validate_slug
from ..schemas import PageRef
from .access import Access, authorize, check_key_project, not_found
from .page_store import page_not_found

_Draft = aliased(PageRevision)
_Live = aliased(PageRevision)


def _statement(page_match: Any) -> Any:
    # Built once per shape: constructing a statement costs more than SQLite takes to run it.
    # (sqlmodel's select is typed for at most four columns; it takes any number at runtime.)
    return (
        select(Project, Member.role, Page, _Draft, _Live, DocTemplate.fields)  # type: ignore[call-overload]
        .select_from(Project)
        .outerjoin(
            Member, and_(col(Member.project_id) == Project.id, col(Member.user_id) == bindparam("user_id"))
        )
        .outerjoin(Page, and_(col(Page.project_id) == Project.id, page_match))
        .outerjoin(_Draft, _Draft.id == Page.draft_revision_id)
        .outerjoin(_Live, _Live.id == Page.live_revision_id)
        .outerjoin(DocTemplate, DocTemplate.id == Page.doc_template_id)
        .where(Project.id == bindparam("project_id"))
    )


_BY_PATH = _statement(col(Page.id) == bindparam("path"))
_BY_SLUG = _statement(
    and_(
        col(Page.slug) == bindparam("slug"),
        col(Page.language) == func.coalesce(bindparam("language", type_=String), Project.default_locale),
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
    session: AsyncSession, principal: Principal, project_id: str, ref: PageRef, *, need: Role, now: datetime
) -> PageRead:
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
    row = (await session.exec(statement, params=params)).first()
    if row is None:
        raise not_found(project_id)
    project, member_role, page, draft, live, fields = row
    access = authorize(principal, project, member_role, need, write=False, now=now)
    if bad_input is not None:
        raise bad_input
    if page is None:
        label = f"path {ref.path!r}" if ref.path else f"slug {slug!r} in {language or project.default_locale}"
        raise page_not_found(label, project)
    return PageRead(access=access, page=page, draft=draft, live=live, fields=list(fields or []))
