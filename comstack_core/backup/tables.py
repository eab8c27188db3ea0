"""Copying ComStack's tables between databases, table by table in dependency order (parents first), with
the models' own column types on both sides, so a SQLite file and a PostgreSQL database hold the same rows.

Used to dump PostgreSQL into the archive's SQLite file and to restore that file into PostgreSQL. The
full-text index (``page_search``) is not a model table: it is built again from the pages after a copy.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Integer, delete, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import SQLModel, col
from sqlmodel import select as model_select

import comstack_core.models  # noqa: F401  (every table on the metadata)

from ..db import Database
from ..models import Page
from ..services.page_store import search_index

BATCH = 500  # rows per INSERT: well under both databases' bound-parameter limits for these tables
Progress = Callable[[str, int, int], None]


def tables() -> list[str]:
    return [table.name for table in SQLModel.metadata.sorted_tables]


async def row_counts(conn: AsyncConnection) -> dict[str, int]:
    counts = {}
    for table in SQLModel.metadata.sorted_tables:
        counts[table.name] = int((await conn.execute(select(func.count()).select_from(table))).scalar_one())
    return counts


async def copy_tables(source: AsyncConnection, target: AsyncConnection, progress: Progress | None = None) -> None:
    """Every row of every table from ``source`` into ``target`` (whose tables are empty, at the same schema)."""
    ordered = SQLModel.metadata.sorted_tables
    for done, table in enumerate(ordered, 1):
        # Ordered by primary key, so two copies of one database are identical row for row.
        rows = await source.stream(select(table).order_by(*table.primary_key.columns))
        async for batch in rows.partitions(BATCH):
            await target.execute(insert(table), [dict(row._mapping) for row in batch])
        if progress:
            progress("tables", done, len(ordered))
    if target.dialect.name == "postgresql":
        await _advance_sequences(target)


async def clear_tables(conn: AsyncConnection) -> None:
    """Delete every row, children first (``restore --force`` into a database that has data)."""
    await conn.execute(text("DELETE FROM page_search"))
    for table in reversed(SQLModel.metadata.sorted_tables):
        await conn.execute(delete(table))


async def has_rows(conn: AsyncConnection) -> bool:
    for table in SQLModel.metadata.sorted_tables:
        if (await conn.execute(select(func.count()).select_from(table))).scalar_one():
            return True
    return False


async def _advance_sequences(conn: AsyncConnection) -> None:
    """Rows copied with their ids leave PostgreSQL's serial sequences at 1: move each past the largest id,
    or the next insert would collide with a copied row."""
    for table in SQLModel.metadata.sorted_tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue
        sequence = (
            await conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": keys[0].name})
        ).scalar_one()
        if sequence:
            await conn.execute(
                text(f"SELECT setval(:s, COALESCE((SELECT max({keys[0].name}) FROM {table.name}), 1), "
                     f"(SELECT max({keys[0].name}) FROM {table.name}) IS NOT NULL)"),
                {"s": sequence},
            )


async def rebuild_search(db: Database, progress: Progress | None = None) -> None:
    """Index every page again, in this database's own full-text form (FTS5 or tsvector)."""
    async with db.write() as session:
        await (await session.connection()).execute(text("DELETE FROM page_search"))
    async with db.read() as session:
        ids = list((await session.exec(model_select(Page.id).order_by(col(Page.id)))).all())
    for start in range(0, len(ids), BATCH):
        async with db.write() as session:
            pages = (await session.exec(model_select(Page).where(col(Page.id).in_(ids[start:start + BATCH])))).all()
            for page in pages:
                await search_index.reindex(session, page)
        if progress:
            progress("search index", min(start + BATCH, len(ids)), len(ids))
