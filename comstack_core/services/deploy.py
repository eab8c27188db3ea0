"""Atomic deploys on local disk: two build slots per project and a ``current`` symlink.

A publish builds into the slot that is not being served, then swaps ``current`` with one rename
(atomic on POSIX), so a reader gets the old site or the new one. The slot it replaced keeps the
previous deployment for revert until the next publish builds over it.
"""

from __future__ import annotations

import os
from pathlib import Path

SLOTS = ("a", "b")
CURRENT = "current"


def project_dir(sites_dir: Path, project_id: str) -> Path:
    return sites_dir / project_id


def active_slot(sites_dir: Path, project_id: str) -> str | None:
    link = project_dir(sites_dir, project_id) / CURRENT
    try:
        target = os.readlink(link)
    except OSError:
        return None
    return target if target in SLOTS else None


def next_slot(sites_dir: Path, project_id: str) -> str:
    return "b" if active_slot(sites_dir, project_id) == "a" else "a"


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
    os.replace(temp, link)


def served_dir(sites_dir: Path, project_id: str) -> Path | None:
    """The directory readers get right now (resolved once per request by the server)."""
    slot = active_slot(sites_dir, project_id)
    return slot_path(sites_dir, project_id, slot) if slot else None
