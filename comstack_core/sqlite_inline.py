"""An aiosqlite connection whose statements run on the event loop's own thread.

aiosqlite hands every call (execute, fetch, commit, cursor close) to a worker thread and back, which
costs 10–20 times a primary-key lookup on a warm SQLite file, and several such hops make up most of a
small read. The embedded database's *read* connections skip the hop: in WAL mode a reader never
waits for a writer, so a read statement cannot block the loop on a lock, only for the time SQLite
takes to run it. Write connections keep the worker thread: ``BEGIN IMMEDIATE`` may wait for another
writer (the busy timeout), which must never stall the loop.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import aiosqlite


class InlineConnection(aiosqlite.Connection):
    # Connecting, closing and SQLAlchemy's isolation-level setter still go through the worker
    # thread's queue; they wait for their future, so no statement ever runs on two threads at once.
    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)

    def begin(self) -> None:
        """BEGIN straight on the sqlite3 connection: a read transaction opens on every session, and going
        through SQLAlchemy's statement machinery for it costs more than the read that follows."""
        self._conn.execute("BEGIN")


def inline_connector(path: str, timeout_s: float) -> Callable[[], Awaitable[aiosqlite.Connection]]:
    async def connect() -> aiosqlite.Connection:
        # Opened by the worker thread, used from the loop's thread: sqlite3 must allow that.
        connection = InlineConnection(
            partial(sqlite3.connect, path, timeout=timeout_s, check_same_thread=False), iter_chunk_size=64
        )
        connection._thread.daemon = True  # as SQLAlchemy does for its own aiosqlite connections
        return await connection

    return connect
