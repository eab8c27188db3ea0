"""The server database's single-statement reads (``Database.fetch_one``/``fetch_all``) run in autocommit
and without the pool's pre-ping; a dropped connection must still cost the caller no error, as it costs none
on the pre-pinged session path."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from comstack_core.db import Database
from comstack_core.schemas import PageRef, SearchQuery

from ..conftest import World
from .test_support import create_page

pytestmark = pytest.mark.parametrize("backend", ["postgres"])


async def _terminate_backends(database_url: str) -> int:
    """End every server process of this database, as a restart or an administrator would."""
    name = database_url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(database_url.replace("+asyncpg", "").rsplit("/", 1)[0] + "/postgres")
    try:
        ended = await conn.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1", name
        )
    finally:
        await conn.close()
    await asyncio.sleep(0.2)  # let the ended connections' sockets close
    return int(ended)


async def _fill_pools(db: Database, connections: int) -> None:
    """Check out several connections at once from both pools, so that each keeps that many."""

    async def hold_session() -> None:
        async with db.read() as session:
            await session.exec(text("SELECT pg_sleep(0.05)"))  # type: ignore[call-overload]

    async def hold_statement() -> None:
        await db.fetch_one(text("SELECT pg_sleep(0.05)"), {})

    await asyncio.gather(
        *(hold_session() for _ in range(connections)), *(hold_statement() for _ in range(connections))
    )


async def test_reads_and_writes_succeed_after_the_servers_connections_are_dropped(
    world: World, database_url: str
) -> None:
    core, pid = world.core, world.project_id
    page = await create_page(world, "guides/platypus", content="The platypus lays eggs.")
    query = SearchQuery(query="platypus", include_drafts=True)
    before = await core.search.search_docs(world.viewer, pid, query)
    assert [hit.path for hit in before.hits] == [page.path]
    for round_ in range(2):  # twice: the second time the pools hold connections made after the first
        await _fill_pools(core.db, 3)
        assert await _terminate_backends(database_url) >= 6
        # Every kind of call goes on as if nothing happened: statement reads (search, page reads), session
        # reads and writes (these through the pre-ping), each several times over the pools' dead connections.
        for _ in range(4):
            assert await core.search.search_docs(world.viewer, pid, query) == before
            assert (await core.pages.get_page(world.editor, pid, PageRef(path=page.path))).path == page.path
            async with core.db.read() as session:
                assert (await session.exec(text("SELECT 1"))).one() == (1,)  # type: ignore[call-overload]
        await create_page(world, f"guides/after-{round_}")
        assert await core.db.fetch_all(text("SELECT 1"), {}) == [(1,)]


async def test_a_failing_statement_read_is_not_run_twice(world: World) -> None:
    db = world.core.db
    async with db.write() as session:
        await session.exec(text("CREATE SEQUENCE calls"))  # type: ignore[call-overload]
    with pytest.raises(DBAPIError, match="division by zero"):
        await db.fetch_one(text("SELECT nextval('calls') / 0"), {})
    # An error that is not a dropped connection is the caller's, after one run (a sequence keeps counting
    # when its statement fails).
    row = await db.fetch_one(text("SELECT last_value FROM calls"), {})
    assert row is not None and row[0] == 1
