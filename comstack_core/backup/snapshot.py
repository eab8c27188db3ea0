"""``comstack backup``: a consistent copy of a running installation in one ``.tar.gz``.

The database is copied with SQLite's online backup API (one read transaction: every write committed before
it is in, none after; writers are not blocked) or, on PostgreSQL, table by table inside one
``REPEATABLE READ`` transaction into a SQLite file at the same schema. Each project's build lock is held
from before the database copy until its site is archived, so no publish switches a site in between and the
archived sites are the ones the database describes. Images: only the blobs the copied database names.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sqlite3
import tempfile
from contextlib import AsyncExitStack, closing
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from ..clock import utcnow
from ..config import Settings
from ..db import Database
from ..publishing import deploy
from .archive import SLOT_NAMES, ArchiveWriter
from .manifest import (
    DATABASE,
    SECRET_SETTINGS,
    SETTINGS,
    BackupError,
    Manifest,
    comstack_version,
    head_revision,
)
from .tables import Progress, copy_tables, rebuild_search


def sqlite_file(url: str) -> Path:
    return Path(make_url(url).database or "")


def snapshot_sqlite(source: Path, target: Path) -> None:
    """SQLite's online backup: a page-by-page copy inside one read transaction (never a file copy, which
    could catch the database between a write's pages or miss what is still in the WAL)."""
    with closing(sqlite3.connect(source, timeout=30)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file in the archive


async def snapshot_postgres(url: str, target: Path, progress: Progress | None = None) -> None:
    copy_db = Database(f"sqlite+aiosqlite:///{target}")
    source = create_async_engine(url)
    try:
        await copy_db.migrate()
        async with source.connect() as conn:
            revision = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar_one_or_none()
        if revision != head_revision():
            raise BackupError(
                f"The database is at schema {revision}, this ComStack's is {head_revision()}: run "
                "`comstack migrate` (or back up with the ComStack version that runs the server).",
                code="backup_schema_mismatch",
            )
        plain = create_async_engine(f"sqlite+aiosqlite:///{target}")
        try:
            snap = await source.connect()
            try:
                snap = await snap.execution_options(isolation_level="REPEATABLE READ")
                async with snap.begin(), plain.begin() as out:
                    await snap.execute(text("SET TRANSACTION READ ONLY"))
                    await copy_tables(snap, out, progress)
            finally:
                await snap.close()
        finally:
            await plain.dispose()
        await rebuild_search(copy_db, progress)
    finally:
        await copy_db.dispose()
        await source.dispose()
    with closing(sqlite3.connect(target)) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")


def read_snapshot(path: Path) -> tuple[str, dict[str, int], list[str]]:
    """The copy's schema revision, rows per table, and the image blobs it refers to (sources and variants)."""
    from .tables import tables

    with closing(sqlite3.connect(path)) as conn:
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        counts = {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in tables()}
        keys: set[str] = set()
        for sha, variants in conn.execute("SELECT sha256, variants FROM images"):
            keys.add(sha)
            for entry in json.loads(variants) if variants else []:
                keys.add(entry[2])
    return revision, counts, sorted(keys)


def _site_files(sites: Path, project: str) -> list[tuple[Path, str]]:
    base = sites / project
    found: list[tuple[Path, str]] = []
    if (base / deploy.CURRENT).is_symlink():
        found.append((base / deploy.CURRENT, f"sites/{project}/{deploy.CURRENT}"))
    for slot in SLOT_NAMES:
        for root, dirs, files in os.walk(base / slot):
            dirs.sort()
            for name in sorted(files):
                path = Path(root) / name
                found.append((path, f"sites/{project}/{path.relative_to(base).as_posix()}"))
    return found


async def create_backup(settings: Settings, target: Path, progress: Progress | None = None) -> Manifest:
    """Write the archive to ``target`` (through a temporary name: a failed backup leaves no archive)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    url = settings.resolved_database_url()
    sites = settings.sites_dir
    if url.startswith("sqlite") and not sqlite_file(url).is_file():
        raise BackupError(f"No ComStack database at {sqlite_file(url)}; pass the installation's --data-dir.",
                          code="backup_source_missing")
    work = Path(tempfile.mkdtemp(prefix=".comstack-backup-", dir=target.parent))
    partial = work / "archive.tar.gz"
    writer = ArchiveWriter(partial)
    try:
        # Dot-named folders are a deleted project's site on its way out, not a site.
        projects = sorted(p.name for p in sites.iterdir() if p.is_dir() and not p.name.startswith(".")) \
            if sites.is_dir() else []
        async with AsyncExitStack() as locks:
            for project in projects:
                await locks.enter_async_context(deploy.build_lock(sites, project))
            copy = work / "comstack.db"
            if url.startswith("sqlite"):
                await asyncio.to_thread(snapshot_sqlite, sqlite_file(url), copy)
            else:
                await snapshot_postgres(url, copy, progress)
            files = [item for project in projects for item in _site_files(sites, project)]
            for done, (path, name) in enumerate(files, 1):
                await asyncio.to_thread(writer.add_path, path, name)
                if progress:
                    progress("sites", done, len(files))
        revision, counts, keys = await asyncio.to_thread(read_snapshot, copy)
        await asyncio.to_thread(writer.add_path, copy, DATABASE)
        missing = await asyncio.to_thread(_add_images, writer, settings.data_dir, keys, progress)
        writer.add_bytes(SETTINGS, _public_settings(settings))
        manifest = Manifest(
            comstack_version=comstack_version(),
            created_at=utcnow(),
            source_database="sqlite" if url.startswith("sqlite") else "postgresql",
            schema_revision=revision,
            counts=counts,
            members=writer.members,
            missing_blobs=missing,
        )
        await asyncio.to_thread(writer.finish, manifest)
        os.replace(partial, target)
        return manifest
    except BaseException:
        writer.abort()
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _add_images(writer: ArchiveWriter, data_dir: Path, keys: list[str], progress: Progress | None) -> list[str]:
    missing = []
    for done, key in enumerate(keys, 1):
        blob = data_dir / "blobs" / key[:2] / key[2:4] / key
        if blob.is_file():
            writer.add_path(blob, f"blobs/{key[:2]}/{key[2:4]}/{key}")
        else:  # deleted after the database copy, or lost before it: said in the manifest and the summary
            missing.append(key)
        for variant in sorted((data_dir / "variants" / key[:2]).glob(f"{key}-w*.json")):
            writer.add_path(variant, f"variants/{key[:2]}/{variant.name}")
        if progress:
            progress("images", done, len(keys))
    return missing


def _public_settings(settings: Settings) -> bytes:
    values = settings.model_dump(mode="json", exclude=set(SECRET_SETTINGS) | {"oidc_client_id"})
    return json.dumps(values, indent=2, sort_keys=True).encode()
