"""Concurrent writers: on the embedded database the process queues its write transactions first come, first
served (``Database.write``); on both backends eight concurrent editors lose nothing and see no driver error."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from comstack_core.db import Database
from comstack_core.errors import StaleVersion
from comstack_core.schemas import PageRef, PageUpdate, SearchQuery
from comstack_core.sqlite_inline import InlineConnection

from ..conftest import World
from .test_support import create_page

WRITERS = 8
SAVES = 12


async def test_eight_writers_each_saving_their_own_page_lose_nothing(world: World) -> None:
    core, pid = world.core, world.project_id
    pages = [await create_page(world, f"soak/page-{n}", content="start") for n in range(WRITERS)]

    async def writer(n: int) -> list[int]:
        ref, version, seen = PageRef(path=pages[n].path), pages[n].version, []
        for save in range(SAVES):
            result = await core.editing.update_page(
                world.editor, pid, ref, PageUpdate(base_version=version, content=f"writer{n} save{save} text")
            )
            version = result.page.version
            seen.append(version)
        return seen

    # Any driver error ('database is locked') or lost update would surface here as an exception or a gap.
    histories = await asyncio.gather(*(writer(n) for n in range(WRITERS)))
    for n, history in enumerate(histories):
        assert history == list(range(2, SAVES + 2)), f"writer {n} saw versions {history}"
        page = await core.pages.get_page(world.editor, pid, PageRef(path=pages[n].path), variant="draft")
        assert page.version == SAVES + 1
        assert page.content == f"writer{n} save{SAVES - 1} text"
    # The search index holds each page's last draft once, and nothing older.
    for n in range(WRITERS):
        last = await core.search.search_docs(
            world.editor, pid, SearchQuery(query=f"writer{n} save{SAVES - 1}", include_drafts=True)
        )
        assert [hit.path for hit in last.hits] == [pages[n].path]
        older = await core.search.search_docs(
            world.editor, pid, SearchQuery(query=f"writer{n} save{SAVES - 2}", include_drafts=True)
        )
        assert older.hits == []


async def test_eight_writers_on_one_version_one_wins(world: World) -> None:
    core, pid = world.core, world.project_id
    page = await create_page(world, "contested", content="base")
    results = await asyncio.gather(
        *(
            core.editing.update_page(
                world.editor, pid, PageRef(path=page.path), PageUpdate(base_version=1, content=f"take {n}")
            )
            for n in range(WRITERS)
        ),
        return_exceptions=True,
    )
    wins = [r for r in results if not isinstance(r, BaseException)]
    losses = [r for r in results if isinstance(r, BaseException)]
    assert len(wins) == 1 and all(isinstance(e, StaleVersion) for e in losses), results
    stored = await core.pages.get_page(world.editor, pid, PageRef(path=page.path), variant="draft")
    assert stored.version == 2 and stored.content == wins[0].page.content


@pytest.fixture
async def db(tmp_path: Path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'queue.db'}", busy_timeout_ms=1_500)
    async with database.write() as session:
        await session.exec(text("CREATE TABLE log (id INTEGER PRIMARY KEY, who INTEGER)"))
    yield database
    await database.dispose()


async def test_writers_take_turns_in_arrival_order(db: Database) -> None:
    holding, release = asyncio.Event(), asyncio.Event()

    async def first() -> None:
        async with db.write() as session:
            await session.exec(text("INSERT INTO log (who) VALUES (-1)"))
            holding.set()
            await release.wait()

    async def writer(n: int) -> None:
        async with db.write(short=n % 2 == 0) as session:
            await session.exec(text("INSERT INTO log (who) VALUES (:n)").bindparams(n=n))

    blocker = asyncio.create_task(first())
    await holding.wait()
    waiting = []
    for n in range(WRITERS):
        waiting.append(asyncio.create_task(writer(n)))
        await asyncio.sleep(0)  # each starts waiting before the next arrives
    await asyncio.sleep(0.05)
    release.set()
    await asyncio.gather(blocker, *waiting)
    rows = await db.fetch_all(text("SELECT who FROM log ORDER BY id"), {})
    assert [row[0] for row in rows] == [-1, *range(WRITERS)]


async def test_short_writes_run_on_the_loop_and_commit(db: Database) -> None:
    async with db.write(short=True) as session:
        connection = await session.connection()
        driver = (await connection.get_raw_connection()).driver_connection
        assert isinstance(driver, InlineConnection)
        await session.exec(text("INSERT INTO log (who) VALUES (7)"))
    assert (await db.fetch_one(text("SELECT who FROM log"), {})) == (7,)


async def test_a_short_write_waits_for_another_process_off_the_loop(db: Database, tmp_path: Path) -> None:
    """Another process holding the file's write lock: the short write's BEGIN IMMEDIATE moves to the worker
    thread and waits there (the loop keeps running), then succeeds."""
    other = sqlite3.connect(tmp_path / "queue.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    async def write() -> None:
        async with db.write(short=True) as session:
            await session.exec(text("INSERT INTO log (who) VALUES (1)"))

    ticking = asyncio.create_task(ticker())
    writing = asyncio.create_task(write())
    await asyncio.sleep(0.3)
    assert not writing.done() and ticks >= 10
    other.execute("COMMIT")
    other.close()
    await asyncio.wait_for(writing, 5)
    ticking.cancel()
    assert (await db.fetch_one(text("SELECT count(*) FROM log"), {})) == (1,)


async def test_a_turn_not_given_within_the_busy_timeout_fails_as_locked(db: Database) -> None:
    holding, release = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with db.write():
            holding.set()
            await release.wait()

    blocker = asyncio.create_task(hold())
    await holding.wait()
    started = time.monotonic()
    with pytest.raises(OperationalError, match="database is locked"):
        async with db.write(short=True):
            pass
    assert 1.2 < time.monotonic() - started < 5
    release.set()
    await blocker
    async with db.write(short=True) as session:  # the queue is usable again
        await session.exec(text("INSERT INTO log (who) VALUES (2)"))
