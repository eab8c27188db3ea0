"""``comstack restore``: an archive into an empty data directory (and, optionally, a PostgreSQL database).

Order matters, so that every refusal leaves the target as it was: the archive is checked whole (every
member against the manifest), then its schema, then the target; only then is it unpacked, beside the data
directory, where the database is migrated forward and (for PostgreSQL) copied in one transaction. The
unpacked files are moved into the data directory last.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import tempfile
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from ..db import Database
from .archive import extract_archive, verify_archive
from .manifest import DATABASE, SETTINGS, BackupError, Manifest, head_revision, known_revisions
from .tables import Progress, clear_tables, copy_tables, has_rows, rebuild_search

# What a restore replaces in a data directory (with --force); anything else there is left alone.
REPLACED = ("comstack.db", "comstack.db-wal", "comstack.db-shm", "sites", "blobs", "variants", "uploads")


@dataclass
class RestoreResult:
    manifest: Manifest
    database: str  # sqlite | postgresql
    migrated_from: str | None = None  # the archive's schema when it was older than this code's
    notes: list[str] = field(default_factory=list)


def _not_empty(data_dir: Path) -> bool:
    return data_dir.exists() and (not data_dir.is_dir() or any(data_dir.iterdir()))


async def _postgres_has_data(url: str) -> bool:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            names = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
            if "projects" not in names:
                return False
            return await has_rows(conn)
    finally:
        await engine.dispose()


async def check_target(data_dir: Path, database_url: str | None, *, force: bool) -> None:
    if force:
        return
    if _not_empty(data_dir):
        raise BackupError(
            f"The data directory {data_dir} is not empty; restore into an empty one, or pass --force to "
            "replace its database, sites and images.",
            code="restore_target_not_empty",
        )
    if database_url and await _postgres_has_data(database_url):
        raise BackupError(
            "The target database already holds ComStack data; restore into an empty database, or pass "
            "--force to replace its rows.",
            code="restore_target_not_empty",
        )


async def restore_backup(
    archive: Path,
    data_dir: Path,
    *,
    database_url: str | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> RestoreResult:
    archive, data_dir = Path(archive), Path(data_dir)
    if database_url and database_url.startswith("sqlite"):
        raise BackupError(
            "--database-url is for PostgreSQL; the SQLite database goes into the data directory.",
            code="restore_target_invalid",
        )
    if not archive.is_file():
        raise BackupError(f"No archive at {archive}.", code="backup_not_found")

    def counted(members: int) -> None:
        if progress:
            progress("checking", members, 0)

    manifest = await asyncio.to_thread(verify_archive, archive, counted)
    if manifest.schema_revision not in known_revisions():
        raise BackupError(
            f"The backup's database schema ({manifest.schema_revision}) is newer than this ComStack's "
            f"({head_revision()}); restore it with ComStack {manifest.comstack_version} or later.",
            code="backup_schema_newer",
        )
    await check_target(data_dir, database_url, force=force)

    result = RestoreResult(manifest, "postgresql" if database_url else "sqlite")
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{data_dir.name}.restore-", dir=data_dir.parent))
    try:
        await asyncio.to_thread(extract_archive, archive, staging, frozenset({SETTINGS}))
        database = staging / DATABASE
        if _revision(database) != manifest.schema_revision:
            raise BackupError("The archive's database does not carry the schema its manifest names.",
                              code="backup_damaged")
        if manifest.schema_revision != head_revision():
            result.migrated_from = manifest.schema_revision
        embedded = Database(f"sqlite+aiosqlite:///{database}")
        try:
            await embedded.migrate()
        finally:
            await embedded.dispose()
        if database_url:
            await _into_postgres(database, database_url, progress)
            shutil.rmtree(staging / "database")
        else:
            os.replace(database, staging / "comstack.db")
            (staging / "database").rmdir()
        await asyncio.to_thread(_place, staging, data_dir, force)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return result


def _revision(path: Path) -> str | None:
    with closing(sqlite3.connect(path)) as conn:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return row[0] if row else None


async def _into_postgres(database: Path, url: str, progress: Progress | None) -> None:
    target = Database(url)
    source = create_async_engine(f"sqlite+aiosqlite:///{database}")
    try:
        await target.migrate()
        # One transaction: the database ends with all of the backup or (on any failure) as it was.
        async with source.connect() as src, target.write_engine.begin() as out:
            await clear_tables(out)
            await copy_tables(src, out, progress)
        await rebuild_search(target, progress)
    finally:
        await source.dispose()
        await target.dispose()


def _place(staging: Path, data_dir: Path, force: bool) -> None:
    data_dir.mkdir(exist_ok=True)
    if force:
        for name in REPLACED:
            _remove(data_dir / name)
    for entry in sorted(staging.iterdir()):
        os.replace(entry, data_dir / entry.name)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
