"""The embedded database's connections: reads run inline on the loop, writes keep their thread."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiosqlite
import pytest
from sqlalchemy import text

from comstack_core.db import Database
from comstack_core.sqlite_inline import InlineConnection

from .test_support import loop_gaps


@pytest.fixture
async def db(tmp_path: Path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'inline.db'}", busy_timeout_ms=2_000)
    async with database.write() as session:
        await session.exec(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
        await session.exec(text("INSERT INTO notes (body) VALUES ('old')"))
    yield database
    await database.dispose()


async def _driver(session) -> object:
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    return raw.driver_connection


async def test_reads_are_inline_and_writes_are_not(db: Database) -> None:
    async with db.read() as session:
        assert isinstance(await _driver(session), InlineConnection)
    async with db.write() as session:
        assert not isinstance(await _driver(session), InlineConnection)


async def test_large_reads_run_on_the_drivers_thread_and_the_loop_runs_meanwhile(db: Database) -> None:
    """A site's whole input is read with ``read(large=True)``: on the driver's thread, where sqlite3 releases
    the GIL while SQLite works, so the loop goes on serving requests. Inline, the loop would stop for the
    whole statement (the comparison below shows the difference is real)."""
    slow = text(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) SELECT count(*) FROM n"
    )

    async def longest_pause(large: bool) -> tuple[float, float]:
        pauses: list[float] = []
        done = asyncio.Event()

        async def tick() -> None:
            last = time.perf_counter()
            while not done.is_set():
                await asyncio.sleep(0.005)
                now = time.perf_counter()
                pauses.append(now - last)
                last = now

        ticker = asyncio.create_task(tick())
        await asyncio.sleep(0.02)
        started = time.perf_counter()
        async with db.read(large=large) as session:
            assert isinstance(await _driver(session), InlineConnection) is not large
            assert (await session.exec(slow)).one()[0] == 3_000_000
        took = time.perf_counter() - started
        done.set()
        await ticker
        return max(pauses), took

    inline_pause, inline_took = await longest_pause(large=False)
    assert inline_pause > inline_took / 2  # the loop stood still for the statement
    threaded_pause, threaded_took = await longest_pause(large=True)
    assert threaded_pause < threaded_took / 3, (threaded_pause, threaded_took)


async def test_a_read_never_waits_for_a_writer_holding_the_lock(db: Database) -> None:
    """An inline read that waited on the writer's lock would stall the loop, and with it the writer:
    in WAL mode it must instead see the last committed state at once."""
    holding, release = asyncio.Event(), asyncio.Event()

    async def writer() -> None:
        async with db.write() as session:  # BEGIN IMMEDIATE: holds the write lock until the block ends
            await session.exec(text("UPDATE notes SET body = 'new'"))
            holding.set()
            await release.wait()

    task = asyncio.create_task(writer())
    await asyncio.wait_for(holding.wait(), 5)
    async with db.read() as session:
        seen = (await session.exec(text("SELECT body FROM notes"))).scalar_one()
    assert seen == "old"
    assert (await db.fetch_one(text("SELECT body FROM notes"), {})) == ("old",)  # the session-free read too
    release.set()
    await asyncio.wait_for(task, 5)
    async with db.read() as session:
        assert (await session.exec(text("SELECT body FROM notes"))).scalar_one() == "new"
    assert (await db.fetch_one(text("SELECT body FROM notes"), {})) == ("new",)


async def test_a_failed_read_leaves_the_connection_usable(db: Database) -> None:
    with pytest.raises(Exception, match="no such table"):
        async with db.read() as session:
            await session.exec(text("SELECT * FROM missing"))
    with pytest.raises(Exception, match="no such table"):
        await db.fetch_all(text("SELECT * FROM missing"), {})
    for _ in range(3):  # the pooled connection was rolled back and returned, not left mid-transaction
        async with db.read() as session:
            assert (await session.exec(text("SELECT count(*) FROM notes"))).scalar_one() == 1
        assert (await db.fetch_one(text("SELECT count(*) FROM notes"), {})) == (1,)


async def test_single_statement_reads_take_no_worker_thread(db: Database, monkeypatch) -> None:
    """fetch_one/fetch_all on the embedded database run on the loop's thread with the plain driver:
    no aiosqlite connection (and so no hop to its worker thread) is opened for them."""
    opened: list[object] = []
    real_init = aiosqlite.Connection.__init__

    def spy(self, *args, **kwargs):
        opened.append(self)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "__init__", spy)
    await db.dispose()  # drop pooled connections so any use would open a new one
    assert [tuple(row) for row in await db.fetch_all(text("SELECT id, body FROM notes"), {})] == [(1, "old")]
    assert opened == []


async def _fetched(db: Database) -> object:
    return await db.fetch_one(text("SELECT body FROM notes"), {})


async def _in_session(db: Database) -> object:
    async with db.read() as session:
        return tuple((await session.exec(text("SELECT body FROM notes"))).one())


@pytest.mark.parametrize("read", [_fetched, _in_session], ids=["fetch_one", "session"])
async def test_a_read_that_meets_a_lock_waits_off_the_loop(
    db: Database, tmp_path: Path, read: Callable[[Database], Awaitable[object]]
) -> None:
    """A reader can meet a lock even in WAL mode (recovery after a crash, a checkpoint, another process
    holding the file exclusively). Inline, it would hold the loop for the whole busy timeout; it must
    instead give up within milliseconds, wait on a thread, and finish once the lock goes, while the
    loop keeps serving everything else."""
    await db.dispose()  # the holder below can only lock the file while no other connection has it open
    holder = sqlite3.connect(tmp_path / "inline.db", isolation_level=None, check_same_thread=False, timeout=0)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("UPDATE notes SET body = 'held'")
    holder.execute("COMMIT")  # exclusive locking mode keeps the lock after the commit, until close
    release = threading.Timer(1.5, holder.close)

    async with loop_gaps() as gaps:
        await asyncio.sleep(0.02)
        started = time.monotonic()
        release.start()
        try:
            seen = await asyncio.wait_for(read(db), 10)
            await asyncio.sleep(0.05)  # let the ticker record the gap a blocking read would have left
        finally:
            release.join()
    assert seen == ("held",)
    assert time.monotonic() - started >= 1.2  # the read did wait for the lock...
    assert max(gaps) < 0.5, max(gaps)  # ...without freezing the loop meanwhile
