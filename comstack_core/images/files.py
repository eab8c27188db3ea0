"""Durable, atomic file writes shared by the blob store, the upload store and the variant index.

A file is written under a temporary name in its own directory, flushed to disk, then given its final
name in one step, so a reader (or a process that dies half way) sees the whole file or none of it.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def fsync_dir(path: Path) -> None:
    """Make a rename or link in `path` durable (POSIX needs the directory itself flushed)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_temp(directory: Path, data: bytes) -> Path:
    """Write `data` to a new dotfile in `directory`, flushed to disk, and return its path."""
    # Random names: two processes (or threads) writing the same target never share a temp file.
    temp = directory / f".tmp-{os.getpid()}-{secrets.token_hex(8)}"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        temp.unlink(missing_ok=True)
        raise
    os.close(fd)
    return temp


def replace_file(path: Path, data: bytes) -> None:
    """Write `path` atomically, replacing what was there."""
    temp = write_temp(path.parent, data)
    try:
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def create_file(path: Path, data: bytes) -> bool:
    """Write `path` atomically unless it exists. False when another writer got there first.

    A hard link, unlike a rename, never replaces: the first complete file keeps its inode, so links
    already made to it (a site build) and readers holding it open all see one unchanging file.
    """
    temp = write_temp(path.parent, data)
    try:
        try:
            os.link(temp, path)
        except FileExistsError:
            return False
        except OSError:
            # A file system without hard links: fall back to a rename (atomic, but it may replace a
            # concurrent writer's identical file, which is harmless for content-addressed data).
            os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    fsync_dir(path.parent)
    return True
