"""The embedded database's hottest write transactions (saving a page's draft) on a synchronous
connection, on the loop's thread.

``Database.write_connection`` hands out a connection for a few plain statements (``services/page_save.py``).
Through the async engine every statement crosses a greenlet, aiosqlite's connection and cursor wrappers
and SQLAlchemy's async adapter before SQLite sees it, and back: for a save's ten statements that was more
of the save's time than the statements and everything else together. A synchronous SQLAlchemy
connection runs the same statements, with the same column types, events and errors, without any of it.
Running them on the loop's thread is what ``InlineConnection`` already does for short writes: the
process's writer queue gives the transaction its turn, so ``BEGIN IMMEDIATE`` normally finds the file
free and the statements after it cannot meet a lock.

What may wait goes to one thread of the writer's own, in order: ``BEGIN IMMEDIATE`` when another process
holds the file (a publish runner, a second server), with the database's full busy timeout; a statement
that meets a lock all the same; the commit, which may checkpoint the log and wait for the disk; and the
rollback after a failure. One thread, so the connection is never used by two at once, even when the
awaiting task is cancelled: whatever was handed over finishes before the connection is used again or
returned.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy import Executable
from sqlalchemy.engine import Connection, Dialect, Engine, Result
from sqlalchemy.exc import OperationalError

from .sqlite_inline import INLINE_BUSY_TIMEOUT_MS, is_busy

T = TypeVar("T")


class InlineStatements:
    """What ``Database.write_connection`` yields on the embedded database: ``execute`` and ``dialect``, as
    an ``AsyncConnection`` has them, so the same code writes to either database."""

    def __init__(self, connection: Connection, writer: SqliteWriter) -> None:
        self._connection = connection
        self._writer = writer

    @property
    def dialect(self) -> Dialect:
        return self._connection.dialect

    async def execute(self, statement: Executable, parameters: Any = None) -> Result[Any]:
        try:
            return self._connection.execute(statement, parameters)
        except OperationalError as error:
            if not is_busy(error.orig or error):
                raise
        # A statement that failed on a lock did nothing; it runs again where it may wait.
        return await self._writer.patiently(self._connection, self._connection.execute, statement, parameters)


class SqliteWriter:
    """Write transactions on ``engine``'s connections: a synchronous engine over the plain sqlite3 driver
    whose connections wait at most ``INLINE_BUSY_TIMEOUT_MS`` on a lock (``Database._sqlite_statement_engine``)."""

    def __init__(self, engine: Engine, patient_timeout_ms: int) -> None:
        self._engine = engine
        self._patient_timeout_ms = patient_timeout_ms
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="comstack-sqlite-writer")

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[InlineStatements]:
        """A ``BEGIN IMMEDIATE`` transaction that commits when the block ends and rolls back on any
        exception. The caller holds the process's writer turn."""
        connection = self._engine.connect()
        try:
            await self._begin(connection)
            try:
                yield InlineStatements(connection, self)
                await self._off_loop(connection.commit)
            except BaseException:
                # After a commit that went through and was then cancelled, this finds nothing to undo.
                await self._off_loop(connection.rollback)
                raise
        finally:
            connection.close()

    async def _begin(self, connection: Connection) -> None:
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            return
        except OperationalError as error:
            if not is_busy(error.orig or error):
                raise
        # SQLAlchemy began its own record of the transaction with the statement; only SQLite's failed.
        await self.patiently(connection, connection.exec_driver_sql, "BEGIN IMMEDIATE")

    async def patiently(self, connection: Connection, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` on the writer's thread with the database's full busy timeout."""

        def run() -> T:
            driver = connection.connection.driver_connection
            assert driver is not None
            driver.execute(f"PRAGMA busy_timeout={int(self._patient_timeout_ms)}")
            try:
                return fn(*args)
            finally:
                driver.execute(f"PRAGMA busy_timeout={INLINE_BUSY_TIMEOUT_MS}")

        return await self._off_loop(run)

    async def _off_loop(self, fn: Callable[[], T]) -> T:
        """``fn()`` on the writer's thread. If the waiting task is cancelled, it still waits for ``fn`` to
        end before the cancellation goes on, so nothing else touches the connection meanwhile."""
        running = asyncio.get_running_loop().run_in_executor(self._thread, fn)
        try:
            return await asyncio.shield(running)
        except asyncio.CancelledError:
            while not running.done():
                try:
                    await asyncio.shield(running)
                except asyncio.CancelledError:
                    continue
                except Exception:
                    break
            raise

    def close(self) -> None:
        self._thread.shutdown(wait=True)
        self._engine.dispose()
