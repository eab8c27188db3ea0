"""One batch of promotion as set-based statements: a handful per batch whatever its size (the pages, their
revisions and their search rows each changed by one statement), instead of loading every page and revision
as an object and writing them back one by one."""

from __future__ import annotations

from collections.abc import Container
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, bindparam, text, update
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..models import Page, PageRevision
from ..services.page_store import search_index
from ..services.page_store.search_index import scope_token
from .manifest import due_at

LIVE_STATUS = "live"  # derive_status() of a page with a live revision, no draft and not taken down


async def promote_batch(
    session: AsyncSession, project_id: str, page_ids: list[str], now: datetime, *, skip: Container[str]
) -> list[tuple[str, dict[str, Any]]]:
    """Make live the due drafts among ``page_ids`` (those in ``skip`` are already live), in the caller's
    write transaction. Returns, per page made live, what its ``PublishPromotion`` row records (what it was
    before, so ``undo.py`` can put it back)."""
    if not page_ids:
        return []
    rows = (
        await session.exec(  # type: ignore[call-overload]  # plain columns, no objects
            sa_select(
                col(Page.id),
                col(Page.live_revision_id),
                col(Page.live_hash),
                col(Page.unpublished),
                col(Page.draft_revision_id),
                col(Page.draft_approved),
                col(Page.publish_at),
            )
            .where(col(Page.project_id) == project_id, col(Page.id).in_(page_ids))
            .with_for_update()  # PostgreSQL: an editor's save waits for this batch (SQLite: the write lock)
        )
    ).all()
    due = [r for r in rows if r[0] not in skip and due_at(r[4], r[5], r[6], now)]
    if not due:
        return []
    ids = [r[0] for r in due]
    unsynced = {"synchronize_session": False}  # no page or revision of these is loaded in this session
    await session.exec(
        update(PageRevision)
        .where(col(PageRevision.id).in_([r[4] for r in due]))
        .values(published=True)
        .execution_options(**unsynced)
    )
    # UPDATE ... FROM page_revisions (both databases): the hash comes from each page's own draft revision.
    # Every SET expression sees the row as it was, so live takes the draft before the draft is cleared.
    made_live = await session.exec(
        update(Page)
        .where(col(Page.id).in_(ids), col(Page.draft_revision_id) == col(PageRevision.id))
        .values(
            live_revision_id=col(Page.draft_revision_id),
            live_hash=col(PageRevision.content_hash),
            draft_revision_id=None,
            draft_approved=False,
            unpublished=False,
            status=LIVE_STATUS,
            version=col(Page.version) + 1,
        )
        .execution_options(**unsynced)
    )
    assert made_live.rowcount == len(ids), "pages changed under the batch's lock"
    await _search_rows_go_live(session, ids)
    return [
        (
            page_id,
            {
                "previous_live": live,
                "previous_hash": live_hash,
                "previous_unpublished": unpublished,
                "new_live": draft,
            },
        )
        for page_id, live, live_hash, unpublished, draft, _, _ in due
    ]


async def _search_rows_go_live(session: AsyncSession, ids: list[str]) -> None:
    """The search rows of pages whose draft just went live: each page's draft row becomes its live row
    (replacing the old one). That is what indexing the page again would write, the draft's text being the
    new live text, without reading the revisions again or tokenizing on PostgreSQL. A page whose draft had
    no row (the index never disagrees with the pages, so this is a safeguard) is indexed in full."""
    connection = await session.connection()
    expanding: BindParameter[list[str]] = bindparam("ids", expanding=True)
    if session.get_bind().dialect.name == "postgresql":
        where = "page_id IN :ids AND variant = :variant"
        await connection.execute(
            text(f"DELETE FROM page_search WHERE {where}").bindparams(expanding),
            {"ids": ids, "variant": "live"},
        )
        await connection.execute(
            text(f"UPDATE page_search SET variant = 'live' WHERE {where}").bindparams(expanding),
            {"ids": ids, "variant": "draft"},
        )
        found = await connection.execute(
            text(f"SELECT page_id FROM page_search WHERE {where}").bindparams(expanding),
            {"ids": ids, "variant": "live"},
        )
    else:
        # FTS5 finds the rows through the scope tokens (a WHERE on an unindexed column alone scans the table).
        pages = " OR ".join(f'"{scope_token("page_id", i)}"' for i in ids)
        rows = "SELECT rowid FROM page_search WHERE page_search MATCH :q AND page_id IN :ids AND variant = :variant"

        def params(variant: str) -> dict[str, Any]:
            token = scope_token("variant", variant)
            return {"q": f'scope : ({pages}) AND scope : "{token}"', "ids": ids, "variant": variant}

        await connection.execute(
            text(f"DELETE FROM page_search WHERE rowid IN ({rows})").bindparams(expanding), params("live")
        )
        # The variant is one of the scope's space-separated tokens: swap that token, leave the others.
        await connection.execute(
            text(
                "UPDATE page_search SET variant = 'live',"
                " scope = trim(replace(' ' || scope || ' ', :draft_token, :live_token))"
                f" WHERE rowid IN ({rows})"
            ).bindparams(expanding),
            {
                **params("draft"),
                "draft_token": f" {scope_token('variant', 'draft')} ",
                "live_token": f" {scope_token('variant', 'live')} ",
            },
        )
        found = await connection.execute(
            text(rows.replace("rowid", "page_id", 1)).bindparams(expanding), params("live")
        )
    missing = set(ids) - {row[0] for row in found}
    if missing:
        for page in await session.exec(select(Page).where(col(Page.id).in_(sorted(missing)))):
            await search_index.reindex(session, page)
