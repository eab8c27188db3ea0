"""Writing and deleting the site's files.

Every file is written to a temporary name and renamed over its target, so a path always names a
complete file, and a new file is a new inode: a file the build replaces is never changed in place.
That is what lets deployments share unchanged files by hard links (a copy of a site costs one link
per file, not a copy of its bytes) while a reader of the served one never sees a file change.
"""

from __future__ import annotations

import os
from pathlib import Path

TEMP_SUFFIX = ".tmp"


def write_file(path: str, data: bytes) -> None:
    """Write `data` at `path` through a temporary file in the same directory (same file system)."""
    head, name = os.path.split(path)
    # A dotfile: the server never serves one. The pid keeps the build's two processes apart.
    temp = os.path.join(head, f".{name}.{os.getpid()}{TEMP_SUFFIX}")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        # Left by a build that died here. It may be a link to another deployment's file, so it is
        # unlinked, never truncated.
        os.unlink(temp)
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)
    os.replace(temp, path)


def make_parent(path: str, made: set[str]) -> None:
    """Create the directory `path` goes in, once per build process (`made` remembers)."""
    parent = os.path.dirname(path)
    if parent in made:
        return
    # Every page is its own directory, so directory creation is a visible share of the build: one
    # plain mkdir per directory (makedirs only when a parent is missing too).
    try:
        os.mkdir(parent)
    except FileExistsError:
        pass
    except FileNotFoundError:
        os.makedirs(parent, exist_ok=True)
    made.add(parent)


def remove_file(out_dir: Path, rel_path: str) -> bool:
    path = out_dir / rel_path
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    # Prune directories the deleted page leaves empty, never out_dir itself.
    parent = path.parent
    while parent != out_dir and out_dir in parent.parents:
        try:
            parent.rmdir()
        except OSError:
            break
        parent = parent.parent
    return True
