"""The embedded database's plain-statement write transactions (``Database.write_connection`` on SQLite):
statements on the loop's thread, waits on the writer's own thread, nothing half-written."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from comstack_core.db import Database
from comstack_core.sqlite_writer import InlineStatements, SqliteWriter

from .test_support import loop_gaps

INSERT = text("INSERT INTO log (who, detail) VALUES (:who, :detail)")


@pytest.fixture
async def db(tmp_path: Path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'writer.db'}", busy_timeout_ms=5_000)
    async with database.write() as session:
        await session.exec(text("CREATE TABLE log (id INTEGER PRIMARY KEY, who INTEGER, detail TEXT)"))
    yield database
    await database.dispose()


async def _whos(db: Database) -> list[int]:
    return [row[0] for row in await db.fetch_all(text("SELECT who FROM log ORDER BY id"), {})]


async def test_statements_run_on_the_loop_and_commit_together(db: Database) -> None:
    threads = []
    async with db.write_connection() as conn:
        assert isinstance(conn, InlineStatements)
        await conn.execute(INSERT, {"who": 1, "detail": "a"})
        threads.append(threading.current_thread())
        await conn.execute(INSERT, [{"who": 2, "detail": "b"}, {"who": 3, "detail": "c"}])
        rows = (await conn.execute(text("SELECT who FROM log ORDER BY id"))).all()
        assert [row[0] for row in rows] == [1, 2, 3]
        assert await _whos(db) == []  # another connection sees nothing before the commit
    assert threads == [threading.main_thread()]
    assert await _whos(db) == [1, 2, 3]


async def test_a_failure_leaves_nothing_written_and_the_next_transaction_works(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.write_connection() as conn:
            await conn.execute(INSERT, {"who": 1, "detail": "a"})
            raise RuntimeError("refused half-way")
    with pytest.raises(OperationalError):
        async with db.write_connection() as conn:
            await conn.execute(INSERT, {"who": 2, "detail": "b"})
            await conn.execute(text("INSERT INTO no_such_table VALUES (1)"))
    assert await _whos(db) == []
    async with db.write_connection() as conn:
        await conn.execute(INSERT, {"who": 3, "detail": "c"})
    assert await _whos(db) == [3]


async def test_it_waits_for_another_process_off_the_loop(db: Database, tmp_path: Path) -> None:
    """Another process holding the write lock (a publish runner): BEGIN IMMEDIATE gives up inline within
    milliseconds, waits on the writer's thread while the loop keeps running, then goes on."""
    other = sqlite3.connect(tmp_path / "writer.db", isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO log (who) VALUES (0)")
    release = threading.Timer(0.8, lambda: (other.execute("COMMIT"), other.close()))
    async with loop_gaps() as gaps:
        started = time.monotonic()
        release.start()
        try:
            async with db.write_connection() as conn:
                await conn.execute(INSERT, {"who": 1, "detail": "a"})
        finally:
            release.join()
    assert time.monotonic() - started >= 0.7
    assert max(gaps) < 0.3, max(gaps)
    assert await _whos(db) == [0, 1]


async def test_a_statement_that_meets_a_lock_runs_again_on_the_writers_thread(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran_on: list[str] = []
    async with db.write_connection() as conn:
        assert isinstance(conn, InlineStatements)
        real = conn._connection.execute
        failed = False

        def execute(statement: Any, parameters: Any = None) -> Any:
            nonlocal failed
            ran_on.append(threading.current_thread().name)
            if not failed:
                failed = True
                busy = sqlite3.OperationalError("database is locked")
                busy.sqlite_errorcode = sqlite3.SQLITE_BUSY  # type: ignore[attr-defined]
                raise OperationalError("INSERT", None, busy)
            return real(statement, parameters)

        monkeypatch.setattr(conn._connection, "execute", execute)
        await conn.execute(INSERT, {"who": 1, "detail": "a"})
    assert ran_on[0] == threading.main_thread().name
    assert ran_on[1].startswith("comstack-sqlite-writer")
    assert await _whos(db) == [1]


async def test_a_cancelled_wait_returns_only_once_the_thread_is_done(tmp_path: Path) -> None:
    """What the writer hands its thread (a commit, a rollback) finishes before the cancellation goes on,
    so nothing uses the connection while the thread still does."""
    engine = Database._sqlite_statement_engine(f"sqlite:///{tmp_path / 'w.db'}", 10)
    assert engine is not None
    writer = SqliteWriter(engine, 1_000)
    finished = threading.Event()

    def slow() -> None:
        time.sleep(0.3)
        finished.set()

    task = asyncio.create_task(writer._off_loop(slow))
    await asyncio.sleep(0.05)
    task.cancel()
    await asyncio.sleep(0.01)
    task.cancel()  # a second cancellation does not cut the wait short either
    with pytest.raises(asyncio.CancelledError):
        await task
    assert finished.is_set()
    writer.close()


async def test_a_commit_cancelled_half_way_is_kept_whole(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The caller gives up while the commit runs: the transaction is committed in full (or not at all),
    and the next write finds the connection and the queue free."""
    from sqlalchemy.engine import Connection

    loop = asyncio.get_running_loop()
    committing = asyncio.Event()
    real_commit = Connection.commit

    def slow_commit(self: Connection) -> None:
        loop.call_soon_threadsafe(committing.set)
        time.sleep(0.2)
        real_commit(self)

    monkeypatch.setattr(Connection, "commit", slow_commit)

    async def save() -> None:
        async with db.write_connection() as conn:
            await conn.execute(INSERT, {"who": 1, "detail": "a"})
            await conn.execute(INSERT, {"who": 2, "detail": "b"})

    task = asyncio.create_task(save())
    await committing.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    monkeypatch.setattr(Connection, "commit", real_commit)
    assert await _whos(db) == [1, 2]
    async with db.write_connection() as conn:
        await conn.execute(INSERT, {"who": 3, "detail": "c"})
    assert await _whos(db) == [1, 2, 3]
