"""Moving between databases: a SQLite backup restored into PostgreSQL holds the same rows and serves the
same reads (search included, its index rebuilt in PostgreSQL's own form) and takes new writes and
publishes; a PostgreSQL installation's backup restores into the embedded database."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

from comstack_core import Core, Settings
from comstack_core.backup import BackupError, create_backup, restore_backup
from comstack_core.schemas import PageCreate, PageRef, PageStatusUpdate, SearchQuery

from ...conftest import PG_URL, World, _pg_exec, require_service
from ..publishing.harness import publish_and_run, served_dir, snapshot
from .site import publish_site


@pytest.fixture
async def empty_pg() -> AsyncIterator[str]:
    require_service("PostgreSQL", PG_URL, 5432)
    name = f"cs_restore_{uuid.uuid4().hex[:12]}"
    await _pg_exec(f"CREATE DATABASE {name}")
    try:
        yield PG_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        await _pg_exec(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


async def _rows(url: str) -> dict[str, list[dict[str, Any]]]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            out = {}
            for table in SQLModel.metadata.sorted_tables:
                rows = await conn.execute(select(table).order_by(*table.primary_key.columns))
                out[table.name] = [dict(row._mapping) for row in rows]
            return out
    finally:
        await engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_sqlite_backup_restores_into_postgres(world: World, tmp_path: Path, empty_pg: str) -> None:
    core = world.core
    await publish_site(core, world.manager, world.project_id, world.project_name)
    site = snapshot(served_dir(core, world.project_id))
    await create_backup(core.settings, tmp_path / "b.tar.gz")

    result = await restore_backup(tmp_path / "b.tar.gz", tmp_path / "moved", database_url=empty_pg)
    assert result.database == "postgresql" and not (tmp_path / "moved" / "comstack.db").exists()
    assert await _rows(empty_pg) == await _rows(core.settings.resolved_database_url())

    settings = Settings(data_dir=tmp_path / "moved", database_url=empty_pg, public_url=core.settings.public_url)
    async with Core.open(settings) as moved:
        assert snapshot(served_dir(moved, world.project_id)) == site
        found = await moved.search.search_docs(world.viewer, world.project_id, SearchQuery(query="widget"))
        assert {hit.slug for hit in found.hits} >= {"guides/setup", "guides/use"}
        page = await moved.pages.get_page(world.viewer, world.project_id, PageRef(slug="guides/setup"))
        assert "Plug in." in (page.content or "")
        await moved.editing.create_page(world.editor, world.project_id, PageCreate(slug="after", title="After"))
        await moved.pages.set_page_status(world.manager, world.project_id, PageRef(slug="after"),
                                          PageStatusUpdate(status="ready", project_name=world.project_name))
        status = await publish_and_run(moved, world.manager, world.project_id, world.project_name)
        assert status.status == "succeeded"
        assert (served_dir(moved, world.project_id) / "after" / "index.html").is_file()

    again = await _refused_into(tmp_path / "b.tar.gz", tmp_path / "other", empty_pg)
    assert again.code == "restore_target_not_empty"


async def _refused_into(archive: Path, data_dir: Path, url: str) -> BackupError:
    with pytest.raises(BackupError) as refused:
        await restore_backup(archive, data_dir, database_url=url)
    assert _absent(data_dir)
    return refused.value


def _absent(path: Path) -> bool:
    return not path.exists()


@pytest.mark.parametrize("backend", ["postgres"])
async def test_postgres_backup_restores_into_sqlite(world: World, tmp_path: Path) -> None:
    core = world.core
    await publish_site(core, world.manager, world.project_id, world.project_name)
    manifest = await create_backup(core.settings, tmp_path / "pg.tar.gz")
    assert manifest.source_database == "postgresql" and manifest.counts["pages"] == 4

    await restore_backup(tmp_path / "pg.tar.gz", tmp_path / "embedded")
    restored_url = f"sqlite+aiosqlite:///{tmp_path / 'embedded' / 'comstack.db'}"
    assert await _rows(restored_url) == await _rows(core.settings.resolved_database_url())
    async with Core.open(Settings(data_dir=tmp_path / "embedded")) as embedded:
        found = await embedded.search.search_docs(world.viewer, world.project_id, SearchQuery(query="widget"))
        assert {hit.slug for hit in found.hits} >= {"guides/setup", "guides/use"}
