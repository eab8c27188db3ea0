"""Async database access for SQLite (embedded) and PostgreSQL (server mode).

Writes go through :meth:`Database.write`, which on SQLite starts with ``BEGIN IMMEDIATE`` so that
two writers never both read-then-write on stale data (quota counts, version checks), and on
PostgreSQL relies on row locks taken with :meth:`Database.lock`.

SQLite allows one writer at a time. Left to itself, a writer that finds the file locked sleeps in
SQLite's busy handler and retries, so under concurrent saves some wait a second or more while others
pass them. The process therefore queues its own writers on one FIFO ``asyncio.Lock``: each write
transaction waits its turn on the loop and then finds the file free (other processes sharing the
file are still handled by the busy timeout).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Protocol, TypeVar

from sqlalchemy import Executable, create_engine, event, text
from sqlalchemy.engine import Connection, Dialect, Engine, Result, Row, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from .models.types import store_json
from .read_cache import ReadCache
from .sqlite_inline import INLINE_BUSY_TIMEOUT_MS, InlineConnection, inline_connector, is_busy
from .sqlite_writer import SqliteWriter


class StatementConnection(Protocol):
    """A connection in a write transaction, for plain statements: an ``AsyncConnection`` on PostgreSQL,
    ``sqlite_writer.InlineStatements`` on the embedded database."""

    @property
    def dialect(self) -> Dialect: ...

    async def execute(self, statement: Executable, parameters: Any = None) -> Result[Any]: ...


T = TypeVar("T")

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
logger = logging.getLogger("comstack.db")


def _engine(url: str, **options: Any) -> AsyncEngine:
    """An engine that stores a ``JsonText`` value as the JSON text it already is (``models/types.py``)."""
    return create_async_engine(url, json_serializer=store_json, **options)


class Database:
    def __init__(self, url: str, *, busy_timeout_ms: int = 30_000) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self._busy_timeout_s = busy_timeout_ms / 1000
        self._writer_turn = asyncio.Lock()
        self._inline_write_sessions: async_sessionmaker[AsyncSession] | None = None
        self.read_cache: ReadCache | None = None
        self._pg_statement_engine: AsyncEngine | None = None
        if self.is_sqlite:
            self._prepare_sqlite_dir(url)
            self.write_engine = self._sqlite_engine(url, busy_timeout_ms, immediate=True)
            self.read_engine = self._sqlite_engine(url, busy_timeout_ms, immediate=False)
            # Large reads keep the driver's thread, where sqlite3 lets the loop run meanwhile (see read()).
            self._large_read_engine = self._sqlite_engine(
                url, busy_timeout_ms, immediate=False, threaded=True
            )
            path = make_url(url).database or ""
            # A memory database has no file to share between engines, so it has no inline writer.
            self._inline_write_engine = (
                None
                if path in ("", ":memory:")
                else self._sqlite_engine(url, busy_timeout_ms, immediate=True, inline=True)
            )
            if self._inline_write_engine is not None:
                self._inline_write_sessions = async_sessionmaker(
                    self._inline_write_engine, class_=AsyncSession, expire_on_commit=False
                )
            # Single read statements run inline with a short busy timeout; one that meets a lock runs
            # again on a thread, through the second engine, with the full timeout.
            self._statement_engine = self._sqlite_statement_engine(url, INLINE_BUSY_TIMEOUT_MS)
            self._patient_statement_engine = self._sqlite_statement_engine(url, busy_timeout_ms)
            # Hot reads keep what they read until the next commit (``read_cache``); a memory database,
            # which no other connection sees, has no use for one.
            self.read_cache = None if path in ("", ":memory:") else ReadCache(path)
            # The hottest short writes, as plain statements on the loop's thread (``sqlite_writer``).
            writer_engine = self._sqlite_statement_engine(url, INLINE_BUSY_TIMEOUT_MS)
            self._sqlite_writer = (
                None if writer_engine is None else SqliteWriter(writer_engine, busy_timeout_ms)
            )
        else:
            self.write_engine = _engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
            self.read_engine = self._large_read_engine = self.write_engine
            self._inline_write_engine = None
            self._sqlite_writer = None
            # No read cache: PostgreSQL has no count of commits to check a cached value against.
            self._statement_engine = self._patient_statement_engine = None
            # Single read statements (``fetch_one``/``fetch_all``) in autocommit and without the pool's
            # pre-ping (on asyncpg a BEGIN, a ping and a ROLLBACK): one round trip instead of six. A
            # statement that meets a dropped connection runs once more instead (see ``_fetch_pg``). A
            # smaller pool than the sessions': each statement holds its connection for one round trip, and
            # several servers and their runners share one database's connection limit.
            self._pg_statement_engine = _engine(
                url, isolation_level="AUTOCOMMIT", pool_size=5, max_overflow=10
            )
        self._write_sessions = async_sessionmaker(
            self.write_engine, class_=AsyncSession, expire_on_commit=False
        )
        self._read_sessions = async_sessionmaker(
            self.read_engine, class_=AsyncSession, expire_on_commit=False
        )
        self._large_read_sessions = async_sessionmaker(
            self._large_read_engine, class_=AsyncSession, expire_on_commit=False
        )

    @staticmethod
    def _prepare_sqlite_dir(url: str) -> None:
        path = url.split(":///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)

    @staticmethod
    def _sqlite_engine(
        url: str, busy_timeout_ms: int, *, immediate: bool, inline: bool = False, threaded: bool = False
    ) -> AsyncEngine:
        timeout_s = busy_timeout_ms / 1000
        path = make_url(url).database or ""
        if inline:
            # Short write transactions on the loop's thread (see ``write``).
            engine = _engine(
                url, async_creator=inline_connector(path, busy_timeout_ms, writer=True)
            )
            pragma_timeout_ms = INLINE_BUSY_TIMEOUT_MS
        elif immediate or threaded or path in ("", ":memory:"):
            engine = _engine(url, connect_args={"timeout": timeout_s})
            pragma_timeout_ms = busy_timeout_ms
        else:
            engine = _engine(url, async_creator=inline_connector(path, busy_timeout_ms))
            pragma_timeout_ms = INLINE_BUSY_TIMEOUT_MS

        event.listen(engine.sync_engine, "connect", _sqlite_pragmas(pragma_timeout_ms))

        @event.listens_for(engine.sync_engine, "begin")
        def _on_begin(conn: Connection) -> None:
            driver = conn.connection.driver_connection
            if isinstance(driver, InlineConnection) and not immediate:
                driver.begin()
            else:
                conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine

    @staticmethod
    def _sqlite_statement_engine(url: str, busy_timeout_ms: int) -> Engine | None:
        """The embedded database's engine for single read statements (``fetch_one``/``fetch_all``): the
        plain sqlite3 driver, used on the loop's thread with no session, no greenlet and no worker
        thread. For the same reason as ``InlineConnection``: in WAL mode a read does not wait for a
        writer. The page-save writer (``sqlite_writer``) runs its transactions on an engine of its own
        made here. An in-memory database has no file to share between engines, so it has none."""
        path = make_url(url).database or ""
        if path in ("", ":memory:"):
            return None
        engine = create_engine(
            f"sqlite:///{path}",
            connect_args={"timeout": busy_timeout_ms / 1000, "check_same_thread": False},
            pool_reset_on_return=None,  # autocommit: a lone SELECT leaves no transaction to end
            json_serializer=store_json,  # as ``_engine``: the writer's connections store JSON too
        )
        event.listen(engine, "connect", _sqlite_pragmas(busy_timeout_ms))
        return engine

    async def fetch_one(self, statement: Executable, params: dict[str, Any]) -> Row[Any] | None:
        """The first row of one read statement, outside any session: for the hottest reads, where a
        session, its transaction and ORM objects cost more than the query. One statement sees one
        consistent snapshot, so no transaction is needed. Rows hold typed columns, not ORM objects."""
        return await self._fetch(statement, params, Result.first)

    async def fetch_all(self, statement: Executable, params: dict[str, Any]) -> Sequence[Row[Any]]:
        """Every row of one read statement, outside any session (see ``fetch_one``)."""
        return await self._fetch(statement, params, Result.all)

    async def _fetch(
        self, statement: Executable, params: dict[str, Any], take: Callable[[Result[Any]], T]
    ) -> T:
        if self._pg_statement_engine is not None:
            return await self._fetch_pg(self._pg_statement_engine, statement, params, take)
        if self._statement_engine is None:
            async with self.read_engine.connect() as aconn:
                return take(await aconn.execute(statement, params))
        try:
            return _run(self._statement_engine, statement, params, take)
        except (OperationalError, sqlite3.OperationalError) as error:
            if not is_busy(getattr(error, "orig", error)):
                raise
        # The file is locked (WAL recovery, a checkpoint, an exclusive holder): wait off the loop.
        assert self._patient_statement_engine is not None
        return await asyncio.to_thread(_run, self._patient_statement_engine, statement, params, take)

    @staticmethod
    async def _fetch_pg(
        engine: AsyncEngine, statement: Executable, params: dict[str, Any], take: Callable[[Result[Any]], T]
    ) -> T:
        # A dropped connection (a server restart, an administrator ending backends) fails the statement
        # and invalidates the pool, so every connection it held is replaced at its next checkout; a read
        # changes nothing, so it runs once more, on a new connection, as the pre-ping would have had it.
        try:
            async with engine.connect() as aconn:
                return take(await aconn.execute(statement, params))
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
        async with engine.connect() as aconn:
            return take(await aconn.execute(statement, params))

    @asynccontextmanager
    async def write(self, *, short: bool = False) -> AsyncIterator[AsyncSession]:
        """A transaction that commits when the block ends and rolls back on any exception.

        ``short``: a few small statements (saving a page, not promoting a whole site). On the embedded
        database these run on the loop's thread, as reads do: moving each call to a worker thread and
        back costs more than the statements themselves. The commit still runs on the worker thread,
        since a commit may checkpoint the log and wait for the disk. Long transactions leave it unset,
        so that their statements never hold the loop."""
        if not self.is_sqlite:
            async with self._write_sessions() as session, session.begin():
                yield session
            return
        await self._wait_turn()
        try:
            sessions = (short and self._inline_write_sessions) or self._write_sessions
            async with sessions() as session, session.begin():
                yield session
        finally:
            self._writer_turn.release()

    @asynccontextmanager
    async def write_connection(self) -> AsyncIterator[StatementConnection]:
        """``write(short=True)`` without the ORM session: a connection in a write transaction, for the
        hottest writes, issued as plain statements (saving a page's draft), where the session's unit of
        work costs more than the statements. Same queue, same transaction, same commit. On the embedded
        database it is a synchronous connection used on the loop's thread (``sqlite_writer``)."""
        if not self.is_sqlite:
            async with self.write_engine.begin() as connection:
                yield connection
            return
        await self._wait_turn()
        try:
            if self._sqlite_writer is not None:
                async with self._sqlite_writer.transaction() as statements:
                    yield statements
            else:
                async with self.write_engine.begin() as connection:
                    yield connection
        finally:
            self._writer_turn.release()

    async def _wait_turn(self) -> None:
        """Wait, first come first served, until no other write transaction of this process is open; as
        long as SQLite's busy timeout at most, then fail as a locked database would."""
        try:
            async with asyncio.timeout(self._busy_timeout_s):
                await self._writer_turn.acquire()
        except TimeoutError:
            raise OperationalError(
                "BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked")
            ) from None

    @asynccontextmanager
    async def read(self, *, large: bool = False) -> AsyncIterator[AsyncSession]:
        """A read transaction. ``large``: for reads of thousands of rows (a site's whole input), which on
        SQLite run on the driver's thread instead of inline on the loop: sqlite3 releases the GIL while
        SQLite works, so requests keep being served meanwhile. Small reads stay inline (the hop costs more
        than they do)."""
        sessions = self._large_read_sessions if large else self._read_sessions
        async with sessions() as session, session.begin():
            yield session

    async def migrate(self) -> None:
        from alembic import command
        from alembic.config import Config

        def upgrade(connection: Connection) -> None:
            cfg = Config()
            cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")

        engine = self.write_engine
        if self.is_sqlite:
            # Migrations manage their own transactions; a plain connection avoids BEGIN IMMEDIATE nesting.
            engine = _engine(self.url)
        try:
            async with engine.begin() as conn:
                await conn.run_sync(upgrade)
        finally:
            if engine is not self.write_engine:
                await engine.dispose()

    async def dispose(self) -> None:
        if self.read_cache is not None:
            self.read_cache.close()
        for engine in (self._statement_engine, self._patient_statement_engine):
            if engine is not None:
                engine.dispose()
        if self._inline_write_engine is not None:
            await self._inline_write_engine.dispose()
        if self._sqlite_writer is not None:
            self._sqlite_writer.close()
        if self._pg_statement_engine is not None:
            await self._pg_statement_engine.dispose()
        await self.write_engine.dispose()
        for reader in {self.read_engine, self._large_read_engine} - {self.write_engine}:
            await reader.dispose()

    async def ping(self, *, within: float = 3.0) -> bool:
        """Whether the database answers a trivial query within ``within`` seconds (readiness probes).

        Any failure means "not ready"; the reason goes to the log only, never to the prober.
        """
        try:
            async with asyncio.timeout(within), self.read_engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as error:
            logger.warning("database not ready: %s: %s", type(error).__name__, error)
            return False
        return True


def _run(
    engine: Engine, statement: Executable, params: dict[str, Any], take: Callable[[Result[Any]], T]
) -> T:
    with engine.connect() as conn:
        return take(conn.execute(statement, params))


def _sqlite_pragmas(busy_timeout_ms: int) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the driver so BEGIN is ours to emit (and a lone
        # statement runs in autocommit).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return on_connect
