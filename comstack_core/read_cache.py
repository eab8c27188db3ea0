"""Values read from the embedded database, kept until anyone commits a change to it.

SQLite counts commits for us: ``PRAGMA data_version`` on a connection changes whenever another connection
has committed since the connection last asked — a connection of this process or of any other process that
shares the file (https://sqlite.org/pragma.html#pragma_data_version). The cache keeps a connection of its
own that never writes and asks it before every use; when the number has moved, every value is dropped.
A cached value is therefore never older than the last commit, whoever made it: a second server writing
to the same file is seen on the next read, as it is without the cache.

The number is read *before* the value is: a commit that lands while the value is being read moves the
number past the one the value is stored under, so the value is dropped at its first use.

Only for values that depend on the database alone, never on the clock or on the caller beyond what the
key holds; callers apply their time and caller rules to the cached value on every use. A value is shared
by every call that finds it: it is read-only.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Hashable
from typing import Any


class ReadCache:
    def __init__(self, path: str, *, max_entries: int = 4096) -> None:
        self.path = path
        self.max_entries = max_entries
        self._connection: sqlite3.Connection | None = None
        self._version: int | None = None
        self._values: dict[Hashable, Any] = {}
        self._lock = threading.Lock()  # one Database may be used from more than one thread (tests, tools)

    def __len__(self) -> int:
        return len(self._values)

    def lookup(self, key: Hashable) -> tuple[Any | None, int | None]:
        """(the value stored under ``key`` or None, the version to store a freshly read value under).
        The version is None when the database cannot say (a lock held elsewhere): read, and do not store."""
        with self._lock:
            version = self._current()
            if version is None:
                return None, None
            return self._values.get(key), version

    def store(self, key: Hashable, value: Any, version: int | None) -> None:
        """Keep ``value``, read after ``lookup`` returned ``version``, unless a commit has been seen since."""
        with self._lock:
            if version is None or version != self._version:
                return
            if len(self._values) >= self.max_entries:
                self._values.clear()  # bounded: a crowd of keys costs reads, never memory
            self._values[key] = value

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
            self._values.clear()
            self._version = None

    def _current(self) -> int | None:
        try:
            if self._connection is None:
                # timeout 0: the check runs on the event loop and must never wait on a lock.
                self._connection = sqlite3.connect(
                    self.path, timeout=0, isolation_level=None, check_same_thread=False
                )
            version = int(self._connection.execute("PRAGMA data_version").fetchone()[0])
        except sqlite3.Error:
            self._values.clear()
            self._version = None
            return None
        if version != self._version:
            self._values.clear()
            self._version = version
        return version
