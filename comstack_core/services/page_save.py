"""Saving changes to an existing knowledge page as plain statements on one connection: the hot path of
update-page and save-draft.

It is ``editing.save_existing_page`` (``project_access`` + ``find_page`` + ``current_content`` +
``template_fields`` + ``commit_draft``) without the ORM session: the same access rules, checks and
answer (``page_edits``), the same rows written — the revision, the page's new state, the draft's search
row, the audit entry — in the same transaction and in the same writer queue, on both databases. Only the
storing differs: two reads (the project, the caller's role and the page, locked; then its revisions, its
template's fields and its last revision number) and four writes, instead of a session's loads, identity
map and flush, which cost several times the statements. ``tests/core/test_page_save.py`` holds the two
paths to the same rows and the same refusals.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, bindparam, func, insert, select, update
from sqlmodel import col

from ..auth import Principal
from ..db import StatementConnection
from ..errors import DomainError, InvalidInput, NotFound
from ..models import AuditEntry, DocTemplate, Member, Page, PageRevision, Project
from ..models.columns import ModelColumns
from ..schemas import PageRef, PageSaved
from .access import (
    CALLER_MEMBERSHIP,
    PROJECT_AND_ROLE_COLUMNS,
    authorize,
    caller_params,
    check_key_project,
    not_found,
)
from .base import Context, audit_values
from .page_edits import apply_changes, check_editable, saved, unchanged_save
from .page_store import search_index
from .page_store.queries import PAGE_MATCH, HandleKind, PageHandle, page_handle, page_not_found
from .page_store.writes import INDEXED_PAGE_COLUMNS, mark_draft, revision_values

_PROJECT = ModelColumns(Project)
_PAGE = ModelColumns(Page)
_REVISION = ModelColumns(PageRevision)
_DRAFT = ModelColumns(PageRevision, alias="draft_revision")
_LIVE = ModelColumns(PageRevision, alias="live_revision")
# Where each part starts in the rows: project, member role, page; draft, live, template fields, last number.
_ROLE = len(_PROJECT.columns)
_PAGE_AT = _ROLE + 1
_LIVE_AT = len(_DRAFT.columns)
_FIELDS = _LIVE_AT + len(_LIVE.columns)
_LAST = _FIELDS + 1


def _locked_page(kind: HandleKind) -> Any:
    """The project, the caller's role and the page, the page locked for the save (PostgreSQL; on SQLite
    the write transaction holds the database). No row: no such project or no such page in it."""
    page = _PAGE.table.c
    return (
        select(*_PROJECT.columns, col(Member.role), *_PAGE.columns)
        .select_from(_PROJECT.table)
        .join(_PAGE.table, and_(page.project_id == col(Project.id), PAGE_MATCH[kind]))
        .outerjoin(Member, CALLER_MEMBERSHIP)
        .where(col(Project.id) == bindparam("project_id"))
        .with_for_update(of=_PAGE.table)
    )


def _content() -> Any:
    """The page's draft and live revisions, its template's fields and its last revision number. Read after
    the page is locked, so on PostgreSQL it sees what a save that held the lock before committed."""
    page, draft, live = _PAGE.table.c, _DRAFT.table.c, _LIVE.table.c
    fields = select(col(DocTemplate.fields)).where(col(DocTemplate.id) == page.doc_template_id)
    last = select(func.coalesce(func.max(col(PageRevision.number)), 0)).where(
        col(PageRevision.page_id) == page.id
    )
    return (
        select(*_DRAFT.columns, *_LIVE.columns, fields.scalar_subquery(), last.scalar_subquery())
        .select_from(_PAGE.table)
        .outerjoin(_DRAFT.table, draft.id == page.draft_revision_id)
        .outerjoin(_LIVE.table, live.id == page.live_revision_id)
        .where(page.id == bindparam("page_id"))
    )


# Built once: constructing a statement costs about as much as running a small one.
_LOCKED = {kind: _locked_page(kind) for kind in PAGE_MATCH}
_CONTENT = _content()
_INSERT_REVISION = insert(PageRevision)
_INSERT_AUDIT = insert(AuditEntry)
_UPDATE_PAGE = update(Page).where(col(Page.id) == bindparam("page_id"))
# What a save sets on the page's row besides the columns the caller changed (``Edit.page_columns``).
_PAGE_STATE = ("draft_revision_id", "draft_approved", "status", "version", "updated_at", "updated_by")


async def save_page(
    ctx: Context,
    principal: Principal,
    project_id: str,
    ref: PageRef,
    base_version: int,
    changes: dict[str, Any],
) -> PageSaved:
    """A new draft revision of a knowledge page with ``changes`` (nothing when nothing changed), for the
    current use case (its declared need is checked like ``project_access`` does)."""
    now = ctx.clock()
    check_key_project(principal, project_id)
    # A malformed slug or locale is reported after the access check, as the session path does.
    bad_input: InvalidInput | None = None
    handle = PageHandle("path", {"path": None})  # matches no page
    try:
        handle = page_handle(ref)
    except InvalidInput as error:
        bad_input = error
    params = {**caller_params(principal, project_id), **handle.params}
    async with ctx.db.write_connection() as conn:
        row = (await conn.execute(_LOCKED[handle.kind], params)).first()
        if row is None:
            raise await _refusal(conn, principal, params, handle, bad_input, now=now)
        project = _PROJECT.load(row[:_ROLE])
        assert project is not None
        authorize(principal, project, row[_ROLE], now=now)
        page = _PAGE.load_changeable(row[_PAGE_AT:])
        assert page is not None
        check_editable(page, base_version)
        content = (await conn.execute(_CONTENT, {"page_id": page.id})).one()
        draft, live = _DRAFT.load(content[:_LIVE_AT]), _LIVE.load(content[_LIVE_AT:_FIELDS])
        base = draft or live
        if base is None:  # pragma: no cover - a page always has one of them
            raise NotFound(f"Page {page.id} has no content.", code="page_not_found")
        fields = list(content[_FIELDS] or [])
        edit = apply_changes(page, base, fields, changes)
        if edit.unchanged:
            return unchanged_save(page, base, edit.content, fields)
        at = ctx.clock()
        is_new = page.draft_revision_id is None and page.live_revision_id is None
        # Read-only objects built straight from their values: the models' constructors cost more than
        # the statements that write them.
        rev = PageRevision.model_construct(
            **revision_values(
                page.id,
                int(content[_LAST]) + 1,
                edit.content,
                principal=principal,
                note="edited",
                created_at=ctx.clock(),
            )
        )
        mark_draft(page, rev, principal, is_new=is_new, now=at)
        await conn.execute(_INSERT_REVISION, _REVISION.values(rev))
        columns = (*_PAGE_STATE, *edit.page_columns)
        await conn.execute(
            _UPDATE_PAGE, {"page_id": page.id, **{name: getattr(page, name) for name in columns}}
        )
        # As ``commit_draft``: the live row is rewritten only when a column every row carries changed.
        if is_new or any(name in INDEXED_PAGE_COLUMNS for name in edit.page_columns):
            revisions = {"live": live} if live is not None else {}
            await search_index.write_page_rows(conn, page, {**revisions, "draft": rev})
        else:
            await search_index.write_draft_row(conn, page, rev)
        entry = audit_values(
            principal,
            "page.update",
            project_id=project.id,
            targets=[page.id, rev.id],
            detail={"slug": page.slug, "language": page.language},
            at=at,
        )
        await conn.execute(_INSERT_AUDIT, entry)
    return saved(page, rev, edit.content, fields)


async def _refusal(
    conn: StatementConnection,
    principal: Principal,
    params: dict[str, Any],
    handle: PageHandle,
    bad_input: InvalidInput | None,
    *,
    now: Any,
) -> DomainError:
    """Why no page was found, in the session path's order: no such project, no access, a malformed
    reference, no such page."""
    row = (await conn.execute(PROJECT_AND_ROLE_COLUMNS, params)).first()
    project = _PROJECT.load(row[:_ROLE]) if row is not None else None
    if row is None or project is None:
        return not_found(params["project_id"])
    authorize(principal, project, row[_ROLE], now=now)
    return bad_input or page_not_found(handle.label(project), project)
