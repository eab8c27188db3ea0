"""The embedded database's read cache keeps a value only until the next commit by anyone: another
connection of this process, another process on the same file, or a second Core (a second server)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path

import pytest

from comstack_core import Core, Settings
from comstack_core.errors import NotFound
from comstack_core.read_cache import ReadCache
from comstack_core.schemas import PageRef, PageUpdate

from ..conftest import FakeClock, World
from .test_support import create_page, make_live


@pytest.fixture
def backend() -> str:
    return "sqlite"  # PostgreSQL has no read cache


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    path = tmp_path / "cache.db"
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE t (x INTEGER)")
    return path


def commit_elsewhere(path: Path, value: int = 1) -> None:
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("INSERT INTO t VALUES (?)", (value,))


def test_a_value_is_kept_until_another_connection_commits(db_file: Path) -> None:
    cache = ReadCache(str(db_file))
    value, version = cache.lookup("k")
    assert value is None and version is not None
    cache.store("k", "v", version)
    assert cache.lookup("k")[0] == "v"
    assert cache.lookup("k")[0] == "v"
    commit_elsewhere(db_file)
    assert cache.lookup("k")[0] is None
    assert len(cache) == 0
    cache.close()


def test_a_commit_by_another_process_drops_the_values(db_file: Path) -> None:
    cache = ReadCache(str(db_file))
    _, version = cache.lookup("k")
    cache.store("k", "v", version)
    subprocess.run(
        [sys.executable, "-c", f"import sqlite3; c = sqlite3.connect({str(db_file)!r}); "
         "c.execute('INSERT INTO t VALUES (2)'); c.commit()"],
        check=True,
    )
    assert cache.lookup("k")[0] is None
    cache.close()


def test_a_rollback_keeps_the_values(db_file: Path) -> None:
    cache = ReadCache(str(db_file))
    _, version = cache.lookup("k")
    cache.store("k", "v", version)
    with closing(sqlite3.connect(db_file, isolation_level=None)) as conn:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t VALUES (3)")
        conn.execute("ROLLBACK")
    assert cache.lookup("k")[0] == "v"
    cache.close()


def test_a_value_read_across_a_commit_is_not_kept(db_file: Path) -> None:
    """The version is taken before the read: a commit landing during the read makes the value stale."""
    cache = ReadCache(str(db_file))
    _, version = cache.lookup("k")
    commit_elsewhere(db_file)  # lands while "k" is being read
    assert cache.lookup("other")[1] != version  # another call notices the commit first
    cache.store("k", "read before the commit", version)
    assert cache.lookup("k")[0] is None
    cache.close()


def test_a_value_read_across_an_unnoticed_commit_is_dropped_at_its_first_use(db_file: Path) -> None:
    cache = ReadCache(str(db_file))
    _, version = cache.lookup("k")
    commit_elsewhere(db_file)
    cache.store("k", "read before the commit", version)  # nobody has asked since the commit
    assert cache.lookup("k")[0] is None
    cache.close()


def test_a_locked_database_is_read_without_the_cache_and_without_waiting(db_file: Path) -> None:
    """The check runs on the event loop: when the file is held exclusively it must answer at once that
    nothing may be cached (the read then takes its usual path, which waits off the loop)."""
    cache = ReadCache(str(db_file))
    cache.lookup("k")
    cache.close()  # the holder below can only lock the file while no other connection has it open
    with closing(sqlite3.connect(db_file, isolation_level=None, timeout=0)) as holder:
        holder.execute("PRAGMA locking_mode=EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")
        holder.execute("INSERT INTO t VALUES (4)")
        holder.execute("COMMIT")  # exclusive locking mode keeps the lock after the commit, until close
        started = time.monotonic()
        assert cache.lookup("k") == (None, None)
        cache.store("k", "v", None)
        assert time.monotonic() - started < 0.5
    value, version = cache.lookup("k")
    assert value is None and version is not None
    cache.close()


def test_the_cache_is_bounded(db_file: Path) -> None:
    cache = ReadCache(str(db_file), max_entries=3)
    for key in range(10):
        _, version = cache.lookup(key)
        cache.store(key, key, version)
        assert len(cache) <= 3
    cache.close()


@pytest.fixture
async def second_core(settings: Settings, clock: FakeClock) -> AsyncIterator[Core]:
    """Another Core on the same database file: what a second server process is to this one."""
    async with Core.open(settings, clock=clock) as opened:
        yield opened


async def test_a_page_read_sees_what_a_second_server_wrote(world: World, second_core: Core) -> None:
    core, ref = world.core, PageRef(slug="guide")
    await create_page(world, "guide", content="First words.")
    first = await core.pages.get_page(world.editor, world.project_id, ref)
    assert first.content == "First words."
    assert core.db.read_cache is not None and len(core.db.read_cache) == 1  # the read is kept

    await second_core.editing.update_page(
        world.editor, world.project_id, ref, PageUpdate(content="Second words.", base_version=first.version)
    )
    assert (await core.pages.get_page(world.editor, world.project_id, ref)).content == "Second words."

    await second_core.members.remove_member(world.manager, world.project_id, world.editor.user_id or "")
    with pytest.raises(NotFound):
        await core.pages.get_page(world.editor, world.project_id, ref)


async def test_a_page_read_sees_this_servers_own_writes(world: World) -> None:
    core, ref = world.core, PageRef(slug="guide")
    await create_page(world, "guide", content="First words.")
    first = await core.pages.get_page(world.editor, world.project_id, ref)
    await core.editing.update_page(
        world.editor, world.project_id, ref, PageUpdate(content="Second words.", base_version=first.version)
    )
    assert (await core.pages.get_page(world.editor, world.project_id, ref)).content == "Second words."


async def test_a_cached_page_read_still_checks_the_caller(world: World) -> None:
    """The cache holds what the database answered for the parameters; who may see what is decided per call."""
    core, ref = world.core, PageRef(slug="guide")
    await create_page(world, "guide")
    assert (await core.pages.get_page(world.manager, world.project_id, ref)).variant == "draft"
    assert (await core.pages.get_page(world.manager, world.project_id, ref)).variant == "draft"  # from the cache
    with pytest.raises(NotFound) as outsider:
        await core.pages.get_page(world.outsider, world.project_id, ref)
    assert outsider.value.code == "project_not_found"
    with pytest.raises(NotFound) as viewer:  # a viewer reads the live version, and there is none yet
        await core.pages.get_page(world.viewer, world.project_id, ref)
    assert viewer.value.code == "version_not_found"


async def test_each_read_gets_its_own_view_of_a_kept_answer(world: World) -> None:
    """The page view is made once per kept answer; every call gets a copy it may change freely."""
    core, ref = world.core, PageRef(slug="guide")
    await create_page(world, "guide", content="Live words.", metadata={"keywords": ["one"]})
    page = await core.pages.get_page(world.editor, world.project_id, ref)
    await make_live(core, page.path)
    first = await core.pages.get_page(world.editor, world.project_id, ref)
    await core.editing.update_page(
        world.editor, world.project_id, ref, PageUpdate(content="Draft words.", base_version=first.version)
    )

    views = [await core.pages.get_page(world.editor, world.project_id, ref) for _ in range(2)]
    assert views[0] == views[1] and views[0] is not views[1]
    assert (views[0].variant, views[0].content, views[0].metadata) == ("draft", "Draft words.", {"keywords": ["one"]})
    views[0].metadata["keywords"] = ["changed"]
    views[0].metadata["added"] = True
    views[0].title = "Changed"
    views[0].images = []
    again = await core.pages.get_page(world.editor, world.project_id, ref)
    assert (again.title, again.metadata) == (views[1].title, {"keywords": ["one"]})

    # One kept answer serves both revisions, each to the callers it belongs to.
    live = await core.pages.get_page(world.viewer, world.project_id, ref)
    assert (live.variant, live.content) == ("live", "Live words.")
    asked = await core.pages.get_page(world.editor, world.project_id, ref, variant="live")
    assert (asked.variant, asked.content) == ("live", "Live words.")
    assert (await core.pages.get_page(world.editor, world.project_id, ref)).content == "Draft words."
