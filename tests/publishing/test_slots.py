"""Deployment slots share unchanged files by hard links: the first publish leaves the idle slots holding
copies of its site, so the publishes right after it render and check only what changed; no publish changes
a file of the served (or the kept) deployment; and every deployment equals a full build of its content."""

from __future__ import annotations

from pathlib import Path

from comstack_core.schemas import PageRef, PageStatusUpdate, PageUpdate
from comstack_core.services import deploy

from .conftest import Pub
from .harness import add_ready_pages, publish_and_run, reference_build, served_dir, served_slot, snapshot

PAGES = [
    (f"docs/p{i}", f"Page {i}", f"# Page {i}\n\nSee [the next](/docs/p{(i + 1) % 12}).\n") for i in range(12)
]


def inodes(directory: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(directory).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in directory.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }


async def edit(pub: Pub, slug: str, content: str) -> None:
    core, editor, pid = pub.core, pub.world.editor, pub.project_id
    page = await core.pages.get_page(editor, pid, PageRef(slug=slug))
    await core.editing.update_page(
        editor, pid, PageRef(slug=slug), PageUpdate(base_version=page.version, content=content)
    )
    await core.pages.set_page_status(
        editor, pid, PageRef(slug=slug), PageStatusUpdate(status="ready", project_name=pub.name)
    )


async def test_publishes_after_the_first_render_only_what_changed(pub: Pub, tmp_path: Path) -> None:
    core, manager, pid = pub.core, pub.world.manager, pub.project_id
    sites = core.settings.sites_dir
    await add_ready_pages(core, pub.world.editor, pid, pub.name, PAGES)
    first = await publish_and_run(core, manager, pid, pub.name)
    assert first.status == "succeeded", first.error
    assert "seed" in first.timings
    served = served_slot(core, pid)
    links = inodes(served_dir(core, pid))
    for slot in set(deploy.SLOTS) - {served}:
        # The idle slots are the same site, file for file the same inodes.
        assert inodes(deploy.slot_path(sites, pid, slot)) == links

    history = []
    for n in range(4):
        await edit(pub, f"docs/p{n}", f"# Page {n}\n\nVersion {n + 2}, see [p5](/docs/p5).\n")
        before_slot = served_slot(core, pid)
        before, before_links = snapshot(served_dir(core, pid)), inodes(served_dir(core, pid))
        status = await publish_and_run(core, manager, pid, pub.name)
        assert status.status == "succeeded", status.error
        assert status.counts["gate"] == "changed files"
        assert "seed" not in status.timings
        # The deployment it replaced (kept for a revert) did not change under its readers.
        old = deploy.slot_path(sites, pid, before_slot)
        assert snapshot(old) == before and inodes(old) == before_links
        assert snapshot(served_dir(core, pid)) == await reference_build(core, pid, tmp_path / f"ref-{n}")
        history.append(status)
    # Each slot catches up on the edits made since it last held a build: one, then two, then three
    # pages (three slots in turn), never the whole site.
    assert [s.counts["rendered"] for s in history] == [1, 2, 3, 3]
