"""Scheduled backups: one at a time across processes, due again only after the interval, the newest kept,
failures recorded and retried; the last run shows in /readyz and the metrics."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from comstack_core import Core, Settings
from comstack_core.backup.schedule import BackupRun
from comstack_http.app import create_app

from ...conftest import FakeClock
from ...lifespan import running


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data", database_url=database_url, public_url="http://testserver",
        backup_dir=tmp_path / "backups", backup_every="1h", backup_keep=2, run_publish_jobs=False,
    )


def archives(settings: Settings) -> list[str]:
    assert settings.backup_dir is not None
    return sorted(p.name for p in settings.backup_dir.glob("*.tar.gz"))


async def test_one_backup_at_a_time_across_processes(core: Core, settings: Settings, clock: FakeClock) -> None:
    async with Core.open(settings, clock=clock) as other:  # a second server process on the same database
        runs = await asyncio.gather(core.backups.run_due(), other.backups.run_due())
        assert sum(run is not None for run in runs) == 1
        assert len(archives(settings)) == 1
        assert await core.backups.run_due() is None and await other.backups.run_due() is None  # not due yet
        clock.advance(hours=1)
        second = await other.backups.run_due()
        assert second is not None and second.ok
        clock.advance(hours=1)
        assert (await core.backups.run_due()) is not None
    kept = archives(settings)
    assert len(kept) == 2 and second.file in kept  # backup_keep=2: the oldest was deleted
    last = await core.backups.last_run()
    assert last is not None and last.ok and last.file == kept[-1] and last.bytes > 0


async def test_a_failed_backup_is_recorded_and_tried_again(core: Core, settings: Settings, clock: FakeClock) -> None:
    assert settings.backup_dir is not None
    settings.backup_dir.parent.mkdir(parents=True, exist_ok=True)
    settings.backup_dir.write_text("a file where the folder should be")
    failed = await core.backups.run_due()
    assert failed is not None and not failed.ok and failed.error
    assert await core.backups.run_due() is None  # not straight away
    settings.backup_dir.unlink()
    clock.advance(hours=1)
    retried = await core.backups.run_due()
    assert retried is not None and retried.ok


async def _last_run(core: Core) -> BackupRun:
    for _ in range(1200):
        run = await core.backups.last_run()
        if run is not None:
            return run
        await asyncio.sleep(0.1)
    raise AssertionError("the server's scheduler made no backup in two minutes")


async def test_readyz_and_metrics_show_the_last_backup(core: Core, settings: Settings) -> None:
    async with running(create_app(settings, core=core)) as app:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            run = await _last_run(core)  # the app's own scheduler makes the first backup at start
            assert run.ok
            ready = (await http.get("/readyz")).json()
            assert ready["status"] == "ok" and ready["backup"]["ok"] and ready["backup"]["file"] == run.file
            metrics = (await http.get("/metrics")).text
            assert "comstack_backup_last_ok 1.0" in metrics
            assert f"comstack_backup_last_bytes {float(run.bytes)}" in metrics
