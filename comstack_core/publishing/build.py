"""Building a deployment into a slot: the builder's record kept with each slot (``.build-state.json``), a
runner's memory of the records it read or wrote lately, bringing a slot up to the served build by hard
links, the build itself, the pre-deploy gate, and seeding idle slots after a deploy.

A state describes thousands of pages: decoding it costs more than the rest of a small incremental build.
So a runner keeps the ones it has, keyed by the identity of their file (device, inode, modification time,
size): a slot's state file is only ever replaced, never rewritten, so while that identity holds the file
holds the same state. A slot made of hard links to another shares its state file's inode too.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections import OrderedDict
from collections.abc import Collection
from dataclasses import replace
from pathlib import Path

from ..site import BuildResult, BuildState, SiteConfig, SitePage, build_site, check_files, check_site
from ..site.files import make_parent, remove_file
from . import deploy
from .state_file import FileId, identity, write_state

STATE_FILE = ".build-state.json"
VERIFIED_FILE = ".gate-passed"  # in a slot: every file in it passed the pre-deploy check


def _file_id(path: Path) -> FileId | None:
    try:
        return identity(os.stat(path))
    except OSError:
        return None


def read_state(slot: Path) -> BuildState | None:
    try:
        return BuildState.from_json((slot / STATE_FILE).read_text())
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


class BuildStates:
    def __init__(self, size: int) -> None:
        self._size = size
        self._known: OrderedDict[FileId, BuildState] = OrderedDict()
        self._lock = threading.Lock()  # builds run in worker threads

    def _remember(self, key: FileId, state: BuildState) -> None:
        with self._lock:
            self._known[key] = state
            self._known.move_to_end(key)
            while len(self._known) > self._size:
                self._known.popitem(last=False)

    def load(self, slot: Path) -> BuildState | None:
        """The state of the build ``slot`` holds, or None when it holds none (or an unreadable one)."""
        key = _file_id(slot / STATE_FILE)
        if key is None:
            return None
        with self._lock:
            state = self._known.get(key)
        if state is None:
            state = read_state(slot)
            if state is None:
                return None
        self._remember(key, state)
        return state

    def save(self, slot: Path, state: BuildState) -> None:
        self._remember(write_state(slot / STATE_FILE, state), state)


def _link_over(src: Path, dst: Path, made: set[str]) -> None:
    """Point ``dst`` at ``src``'s file: a new link renamed over the old entry, never a write into it."""
    make_parent(str(dst), made)
    temp = dst.with_name(f".{dst.name}.{os.getpid()}.link")
    temp.unlink(missing_ok=True)
    os.link(src, temp)
    os.replace(temp, dst)


def catch_up(dst: Path, have: BuildState, src: Path, want: BuildState) -> bool:
    """Make ``dst``, which holds the build ``have``, hold the build ``want`` that ``src`` holds: link the files
    of every page and site-wide file whose record differs, delete those ``want`` lacks. A page whose record is
    the same in both has the same bytes (the builder is deterministic), so this costs links for what changed
    between the two builds, not a copy of the site. False, with nothing done, when the two differ in what
    every page shows (theme, navigation, builder): then a fresh clone is as cheap."""
    if have.shared_hash != want.shared_hash or have.navs != want.navs:
        return False
    stale: set[str] = set()
    fresh: set[str] = set()
    for key in have.pages.keys() | want.pages.keys():
        old, new = have.pages.get(key), want.pages.get(key)
        if old is not new and old != new:
            stale.update(old.files if old is not None else ())
            fresh.update(new.files if new is not None else ())
    for name in have.shared_files.keys() | want.shared_files.keys():
        if have.shared_files.get(name) != want.shared_files.get(name):
            stale.update([name] if name in have.shared_files else [])
            fresh.update([name] if name in want.shared_files else [])
    made: set[str] = set()
    for name in sorted(fresh):
        _link_over(src / name, dst / name, made)
    for name in stale - fresh:
        remove_file(dst, name)
    return True


def into_slot(
    config: SiteConfig, pages: list[SitePage], out: Path, seed: Path | None, states: BuildStates
) -> tuple[BuildResult, bool]:
    """Build into ``out`` incrementally from the served build (``seed``); also say whether every file the
    build did not write had passed the gate before (so the gate may look at the written files only).

    The slot is first brought to the served build: by linking the files of the pages that changed since
    its own build when it holds one of the same theme and navigation, else by a fresh hard-link copy. So
    every build renders only what changed since the last deploy. With nothing served yet, the slot's own
    build is the starting point, and a slot with no trustworthy state (never built, or a build died in it)
    is emptied.
    """
    state_file, verified = out / STATE_FILE, out / VERIFIED_FILE
    have = states.load(out)
    want = states.load(seed) if seed is not None else None
    own_trusted = have is not None and verified.exists()
    # The state and the gate's mark are dropped before anything in the slot changes and written after the
    # build: a crash while catching up or building leaves neither, so the next attempt starts from a fresh
    # copy or a full build and a full check instead of trusting half-written files.
    state_file.unlink(missing_ok=True)
    verified.unlink(missing_ok=True)
    previous: BuildState | None
    if seed is not None and want is not None:
        if have is None or not catch_up(out, have, seed, want):
            deploy.clone(seed, out)
        previous, trusted = want, (seed / VERIFIED_FILE).exists()
    else:
        if have is None:
            shutil.rmtree(out, ignore_errors=True)
        previous, trusted = have, own_trusted
    # In a helper process: the server's thread rendering thousands of pages would hold the interpreter's lock
    # that the requests it serves meanwhile need (the caller keeps the index, navigation and site-wide files).
    result = build_site(config, pages, out, previous, helpers_only=True)
    states.save(out, result.state)
    return result, trusted


def counted_from(result: BuildResult, served: BuildState | None) -> BuildResult:
    """``result``, a build that started from the dry run's build, counted as if it had started from the
    served build: the pages rendered are those whose record differs from the served one (the same record
    means the same bytes), and it rebuilt everything if nothing was served or what every page shows changed.
    """
    new = result.state
    if served is None or served.shared_hash != new.shared_hash:
        return replace(result, rendered=len(new.pages), full_rebuild=True)
    changed = sum(1 for key, record in new.pages.items() if served.pages.get(key) != record)
    return replace(result, rendered=changed, full_rebuild=result.full_rebuild)


def seed_idle_slots(sites: Path, project_id: str, served: str, kept: str | None) -> list[str]:
    """Make each slot that holds no build, and is neither served nor kept for a revert, a hard-link copy of
    the deployment just made (state and gate mark included). Without this, the next publishes into those
    slots (right after a project's first one) would each copy the whole site first; here the copy is part
    of the publish that built the whole site anyway."""
    seeded = []
    src = deploy.slot_path(sites, project_id, served)
    for slot in deploy.SLOTS:
        dst = deploy.slot_path(sites, project_id, slot)
        if slot in (served, kept) or (dst / STATE_FILE).exists():
            continue
        deploy.clone(src, dst, last=(VERIFIED_FILE, STATE_FILE))
        seeded.append(slot)
    return seeded


def gate(out: Path, base_url: str, result: BuildResult, full: bool, extra: Collection[str] = ()) -> list[str]:
    """The pre-deploy check: of the whole site, or (not ``full``: the build only added or re-rendered files
    over a site that had passed the gate) of the files it wrote. A link can only break where something was
    written or removed, and the builder re-renders every page whose link targets changed. ``extra``: files
    placed in the slot besides the build's own (the uploaded images)."""
    if full:
        return check_site(out, base_url)
    return check_files(out, base_url, result.written, result.state.files() | set(extra))
