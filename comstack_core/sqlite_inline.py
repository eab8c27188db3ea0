"""An aiosqlite connection whose statements run on the event loop's own thread.

aiosqlite hands every call (execute, fetch, commit, cursor close) to a worker thread and back, which
costs 10–20 times a primary-key lookup on a warm SQLite file, and several such hops make up most of a
small read. The embedded database's *read* connections skip the hop: in WAL mode a reader does not wait
for a writer, so a read statement normally holds the loop only for the time SQLite takes to run it.

Short write transactions (``Database.write(short=True)``) use the same connection class with one
difference, ``InlineWriter``: their turn comes from the process's writer queue, so ``BEGIN IMMEDIATE``
normally finds the file free and the statements that follow cannot meet a lock; the commit, which may
checkpoint the log and wait for the disk, goes to the worker thread.

A reader can still meet a lock in rare moments (WAL recovery after a crash, a checkpoint restarting the
log, another process holding the file in exclusive locking mode). Inline statements therefore wait at
most ``INLINE_BUSY_TIMEOUT_MS`` on a lock and then run again on the connection's worker thread with the
database's full busy timeout, off the loop. Write connections keep the worker thread throughout:
``BEGIN IMMEDIATE`` may wait for another writer.

This subclass overrides aiosqlite's private ``_execute`` and reads ``_running``, ``_connection``,
``_conn`` and ``_thread``; pyproject.toml pins aiosqlite to the releases checked to have them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import aiosqlite

# How long an inline statement may hold the loop waiting on a lock before it moves to a thread. SQLite's
# busy handler sleeps 1, 2, 5, then 10 ms between tries, so this allows three retries.
INLINE_BUSY_TIMEOUT_MS = 10

# sqlite3 method names whose failure with SQLITE_BUSY left nothing done, so they can simply run again
# (a fetch that failed half-way through its rows could not be resumed and is not retried).
_RETRYABLE = frozenset({"execute", "executemany"})


def is_busy(error: BaseException) -> bool:
    """SQLITE_BUSY and its extended codes (recovery, snapshot, timeout)."""
    code = getattr(error, "sqlite_errorcode", None)
    return (
        isinstance(error, sqlite3.OperationalError)
        and code is not None
        and code & 0xFF == sqlite3.SQLITE_BUSY
    )


class InlineConnection(aiosqlite.Connection):
    # The busy timeout a statement gets once it has moved to the worker thread.
    patient_timeout_ms = 30_000

    # Connecting, closing and SQLAlchemy's isolation-level setter still go through the worker
    # thread's queue; they wait for their future, so no statement ever runs on two threads at once.
    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        try:
            return fn(*args, **kwargs)
        except sqlite3.OperationalError as error:
            if not is_busy(error) or getattr(fn, "__name__", "") not in _RETRYABLE:
                raise
        return await super()._execute(self._patiently, fn, *args, **kwargs)

    def _patiently(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run ``fn`` on the worker thread with the full busy timeout, then shorten it again."""
        self._conn.execute(f"PRAGMA busy_timeout={int(self.patient_timeout_ms)}")
        try:
            return fn(*args, **kwargs)
        finally:
            self._conn.execute(f"PRAGMA busy_timeout={INLINE_BUSY_TIMEOUT_MS}")

    def begin(self) -> None:
        """BEGIN straight on the sqlite3 connection: a read transaction opens on every session, and going
        through SQLAlchemy's statement machinery for it costs more than the read that follows. A deferred
        BEGIN takes no lock, so it cannot meet one."""
        self._conn.execute("BEGIN")


class InlineWriter(InlineConnection):
    async def commit(self) -> None:
        await aiosqlite.Connection._execute(self, self._conn.commit)


def inline_connector(
    path: str, patient_timeout_ms: int, *, writer: bool = False
) -> Callable[[], Awaitable[aiosqlite.Connection]]:
    kind = InlineWriter if writer else InlineConnection

    async def connect() -> aiosqlite.Connection:
        # Opened by the worker thread, used from the loop's thread: sqlite3 must allow that.
        connection = kind(
            partial(sqlite3.connect, path, timeout=INLINE_BUSY_TIMEOUT_MS / 1000, check_same_thread=False),
            iter_chunk_size=64,
        )
        connection.patient_timeout_ms = patient_timeout_ms
        connection._thread.daemon = True  # as SQLAlchemy does for its own aiosqlite connections
        return await connection

    return connect
