"""Atomic deploys on local disk: three build slots per project and a ``current`` symlink.

A publish builds into a slot that is neither served nor kept for a revert, then swaps ``current`` with
one rename (atomic on POSIX), so a reader gets the old site or the new one. The slot it replaced keeps
the previous deployment for revert. Three slots, not two: a publish that fails after building (the gate
refused it, the process died) must not have overwritten the deployment a revert would bring back.

Slots share unchanged files by hard links (``clone``): the builder replaces files, never rewrites them,
so a build in one slot cannot change a file another slot serves. ``sync_site`` points ``current`` at the
deployment the database says is live (after a revert, or a switch lost in a crash).
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import secrets
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from ..services.base import Context
from .manifest import last_deployed

SLOTS = ("a", "b", "c")
log = logging.getLogger("comstack.publish")
CURRENT = "current"
# The prefix of a deleted project's folder on its way out.
DELETED = ".deleted-"


def project_dir(sites_dir: Path, project_id: str) -> Path:
    return sites_dir / project_id


def active_slot(sites_dir: Path, project_id: str) -> str | None:
    link = project_dir(sites_dir, project_id) / CURRENT
    try:
        target = os.readlink(link)
    except OSError:
        return None
    return target if target in SLOTS else None


def next_slot(sites_dir: Path, project_id: str, keep: str | None = None) -> str:
    """The slot to build into: not the served one, and not ``keep`` (the deployment a revert restores)."""
    busy = {active_slot(sites_dir, project_id), keep}
    return next(slot for slot in SLOTS if slot not in busy)


def slot_path(sites_dir: Path, project_id: str, slot: str) -> Path:
    return project_dir(sites_dir, project_id) / slot


def activate(sites_dir: Path, project_id: str, slot: str | None) -> None:
    """Point ``current`` at ``slot`` (None: take the site down) with one atomic rename."""
    base = project_dir(sites_dir, project_id)
    base.mkdir(parents=True, exist_ok=True)
    link = base / CURRENT
    if slot is None:
        link.unlink(missing_ok=True)
        return
    if slot not in SLOTS:
        raise ValueError(f"unknown slot {slot!r}")
    temp = base / f".{CURRENT}.{os.getpid()}"
    temp.unlink(missing_ok=True)
    os.symlink(slot, temp)
    if link.is_dir() and not link.is_symlink():
        # A folder where the link belongs (the sites folder copied without keeping its links): a rename
        # cannot replace it, so it goes first; it only ever held a copy of a deployed build.
        log.warning("%s was a folder, not a link to a build; replacing it", link)
        aside = base / f"{DELETED}{CURRENT}-{secrets.token_hex(4)}"
        os.replace(link, aside)
        shutil.rmtree(aside, ignore_errors=True)
    os.replace(temp, link)


def served_dir(sites_dir: Path, project_id: str) -> Path | None:
    """The directory readers get right now (resolved once per request by the server)."""
    slot = active_slot(sites_dir, project_id)
    return slot_path(sites_dir, project_id, slot) if slot else None


def _link(src: str, dst: str) -> None:
    try:
        os.link(src, dst, follow_symlinks=False)
    except OSError:  # a file system without hard links, or a file at its link limit
        shutil.copy2(src, dst, follow_symlinks=False)


def clone(src: Path, dst: Path, last: tuple[str, ...] = ()) -> None:
    """Make ``dst`` (emptied first) a copy of the site in ``src`` made of hard links: one directory entry
    per file, no bytes copied. Dotfiles are the publisher's bookkeeping, not the site: only those named
    in ``last`` are linked, in that order, after everything else, so a clone cut short lacks them."""
    shutil.rmtree(dst, ignore_errors=True)
    os.mkdir(dst)
    todo = [(str(src), str(dst))]
    while todo:
        here, there = todo.pop()
        with os.scandir(here) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                target = os.path.join(there, entry.name)
                if entry.is_dir(follow_symlinks=False):
                    os.mkdir(target)
                    todo.append((entry.path, target))
                else:
                    _link(entry.path, target)
    for name in last:
        if (src / name).exists():
            _link(str(src / name), str(dst / name))


@asynccontextmanager
async def build_lock(
    sites_dir: Path,
    project_id: str,
    *,
    wait: bool = True,
    poll_seconds: float = 0.1,
    name: str = ".build.lock",
) -> AsyncIterator[bool]:
    """One writer of a project's slots and ``current`` at a time, across processes. A runner whose job was
    taken over may still be finishing a build in a thread; the new owner waits here instead of writing the
    same slot, and a revert's switch cannot interleave with a deploy's. The kernel drops the lock when its
    holder dies, so a SIGKILLed runner never blocks the next one. With ``wait=False`` it yields whether the
    lock was free instead of waiting for it. ``name``: another lock file, for a directory of its own (the dry
    run's)."""
    base = project_dir(sites_dir, project_id)
    base.mkdir(parents=True, exist_ok=True)
    fd = os.open(base / name, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                acquired = True
                break
            except BlockingIOError:
                if not wait:
                    acquired = False
                    break
                await asyncio.sleep(poll_seconds)
        yield acquired
    finally:
        os.close(fd)


async def sync_site(ctx: Context, project_id: str, *, wait: bool = True) -> None:
    """Point the project's ``current`` at the build of its latest succeeded publish, or take the site down if
    there is none (all reverted). Under the build lock, so it never interleaves with a deploy's switch."""
    sites = ctx.settings.sites_dir
    async with build_lock(sites, project_id, wait=wait) as acquired:
        if not acquired:
            return
        async with ctx.db.read() as session:
            latest = await last_deployed(session, project_id)
        want = latest.build_dir if latest is not None else None
        if active_slot(sites, project_id) != want:
            activate(sites, project_id, want)


async def remove_project_sites(sites_dir: Path, project_id: str) -> None:
    """A deleted project's slots, ``current`` and dry-run folder leave the disk. Under both of its locks, so
    a build or a dry run still finishing is not cut off mid-write; one rename takes the whole folder out of
    the served tree first, so nothing serves a half-removed site."""
    base = project_dir(sites_dir, project_id)
    if not base.exists():
        return
    async with build_lock(sites_dir, project_id), build_lock(sites_dir, project_id, name=".plan.lock"):
        trash = sites_dir / f"{DELETED}{project_id}-{secrets.token_hex(4)}"
        os.replace(base, trash)
    await asyncio.to_thread(shutil.rmtree, trash, True)


async def remove_orphan_sites(sites_dir: Path, project_ids: set[str]) -> None:
    """Folders of projects that no longer exist (a process that died between deleting a project and
    removing its folder), and removals cut short."""
    await asyncio.to_thread(_remove_orphans, sites_dir, project_ids)


def _remove_orphans(sites_dir: Path, project_ids: set[str]) -> None:
    if not sites_dir.is_dir():
        return
    for entry in sites_dir.iterdir():
        if entry.name.startswith(DELETED) or (entry.name.startswith("prj_") and entry.name not in project_ids):
            shutil.rmtree(entry, ignore_errors=True)
