"""Scheduled backups in the server: every ``COMSTACK_BACKUP_EVERY`` a backup into ``COMSTACK_BACKUP_DIR``,
the newest ``COMSTACK_BACKUP_KEEP`` kept.

Every server process runs a scheduler, and one backup runs at a time across them: a process takes a lease
(a row of ``installation_settings``, taken under the row lock, renewed while the backup runs, expiring if
its holder dies) and checks again under it that a backup is due. The last result is a row too, so every
process answers the same in ``/readyz`` and the metrics.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from datetime import datetime, timedelta
from pathlib import Path

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from ..clock import new_id
from ..models import InstallationSetting
from ..services.base import Context
from .snapshot import create_backup

LAST = "backup.last"
LEASE = "backup.lease"
LEASE_SECONDS = 300.0
RETRY_SECONDS = 3600.0  # a failed backup is tried again after this (or the interval, if shorter)
PREFIX = "comstack-backup-"
log = logging.getLogger("comstack.backup")


class BackupRun(BaseModel):
    """The last scheduled backup, as /readyz and the metrics show it."""

    ok: bool
    started_at: datetime
    finished_at: datetime
    file: str | None = None
    bytes: int = 0
    error: str | None = None


async def last_run(ctx: Context) -> BackupRun | None:
    async with ctx.db.read() as session:
        row = await session.get(InstallationSetting, LAST)
    return BackupRun.model_validate_json(row.value) if row is not None else None


class BackupScheduler:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.instance = new_id("bak")
        self._running = asyncio.Lock()  # the lease names the process; this keeps its own tasks to one run too

    async def last_run(self) -> BackupRun | None:
        return await last_run(self.ctx)

    @property
    def enabled(self) -> bool:
        return self.ctx.settings.backup_dir is not None and self.ctx.settings.backup_every is not None

    async def run_forever(self, poll_seconds: float = 30.0) -> None:
        while True:
            try:
                await self.run_due()
            except Exception:  # keep the scheduler alive; the failure is recorded as the last run
                log.exception("scheduled backup loop error")
            await asyncio.sleep(min(poll_seconds, self.ctx.settings.backup_every or poll_seconds))

    def _due(self, last: BackupRun | None, now: datetime) -> bool:
        every = self.ctx.settings.backup_every or 0.0
        wait = every if last is None or last.ok else min(every, RETRY_SECONDS)
        return last is None or now >= last.started_at + timedelta(seconds=wait)

    async def run_due(self) -> BackupRun | None:
        """Run a backup if one is due and no other process is running one; the run, or None."""
        if self._running.locked():
            return None
        async with self._running:
            return await self._run_due()

    async def _run_due(self) -> BackupRun | None:
        if not self.enabled or not self._due(await last_run(self.ctx), self.ctx.clock()):
            return None
        if not await self._lease(self.ctx.clock()):
            return None
        renew = asyncio.create_task(self._renew())
        try:
            if not self._due(await last_run(self.ctx), self.ctx.clock()):  # another process just made one
                return None
            run = await self._backup()
            await self._record(run)
            return run
        finally:
            renew.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renew
            await self._release()

    async def _backup(self) -> BackupRun:
        settings = self.ctx.settings
        assert settings.backup_dir is not None
        started = self.ctx.clock()
        target = Path(settings.backup_dir) / f"{PREFIX}{started:%Y%m%dT%H%M%S%fZ}.tar.gz"
        began = time.monotonic()
        try:
            await create_backup(settings, target)
            size = await asyncio.to_thread(lambda: target.stat().st_size)
            await asyncio.to_thread(prune, Path(settings.backup_dir), settings.backup_keep)
        except Exception as error:
            log.exception("scheduled backup failed")
            return BackupRun(ok=False, started_at=started, finished_at=self.ctx.clock(),
                             error=f"{type(error).__name__}: {error}"[:500])
        log.info("scheduled backup %s: %d bytes in %.1f s", target.name, size, time.monotonic() - began)
        return BackupRun(ok=True, started_at=started, finished_at=self.ctx.clock(), file=target.name, bytes=size)

    async def _lease(self, now: datetime) -> bool:
        until = (now + timedelta(seconds=LEASE_SECONDS)).isoformat()
        value = json.dumps({"holder": self.instance, "until": until})
        try:
            async with self.ctx.db.write() as session:
                row = (await session.exec(
                    select(InstallationSetting).where(InstallationSetting.key == LEASE).with_for_update()
                )).first()
                if row is not None:
                    held = json.loads(row.value)
                    if held["holder"] != self.instance and datetime.fromisoformat(held["until"]) > now:
                        return False
                    row.value, row.updated_at = value, now
                    session.add(row)
                else:
                    session.add(InstallationSetting(key=LEASE, value=value, updated_at=now))
        except IntegrityError:  # another process inserted the first lease at the same moment
            return False
        return True

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(LEASE_SECONDS / 3)
            await self._lease(self.ctx.clock())

    async def _release(self) -> None:
        async with self.ctx.db.write() as session:
            row = await session.get(InstallationSetting, LEASE)
            if row is not None and json.loads(row.value)["holder"] == self.instance:
                await session.delete(row)

    async def _record(self, run: BackupRun) -> None:
        async with self.ctx.db.write() as session:
            row = await session.get(InstallationSetting, LAST)
            if row is None:
                row = InstallationSetting(key=LAST, value="", updated_at=run.finished_at)
            row.value, row.updated_at = run.model_dump_json(), run.finished_at
            session.add(row)


def prune(directory: Path, keep: int) -> list[str]:
    """Delete all but the newest ``keep`` scheduled backups (only files this scheduler names)."""
    archives = sorted(directory.glob(f"{PREFIX}*.tar.gz"), key=lambda p: p.name, reverse=True)
    removed = []
    for old in archives[keep:]:
        old.unlink(missing_ok=True)
        removed.append(old.name)
    return removed
