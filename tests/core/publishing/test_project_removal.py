"""A deleted project's site leaves the disk: its slots, ``current`` and dry-run folder, once the deletion is
committed; folders left by a process that died in between are swept when a runner starts."""

from __future__ import annotations

import pytest

from comstack_core.errors import NameEchoMismatch
from comstack_core.publishing import deploy

from .conftest import Pub
from .harness import add_ready_pages, publish_and_run

PAGES = [("guides/intro", "Getting started", "# Intro\n\nHello.\n")]


async def test_deleting_a_project_removes_its_sites_from_disk(pub: Pub) -> None:
    core, manager, pid = pub.core, pub.world.manager, pub.project_id
    sites = core.settings.sites_dir
    await add_ready_pages(core, pub.world.editor, pid, pub.name, PAGES)
    assert (await publish_and_run(core, manager, pid, pub.name)).status == "succeeded"
    base = deploy.project_dir(sites, pid)
    assert deploy.served_dir(sites, pid) is not None and {"a", "b", "c"} <= {p.name for p in base.iterdir()}
    neighbour = deploy.project_dir(sites, pub.world.other_project_id) / "a"
    neighbour.mkdir(parents=True)
    (neighbour / "index.html").write_text("other site")

    # A deletion that is refused leaves the site where it is.
    with pytest.raises(NameEchoMismatch):
        await core.projects.delete_project(manager, pid, "Not The Name")
    assert deploy.served_dir(sites, pid) is not None

    await core.projects.delete_project(manager, pid, pub.name)
    assert not base.exists()
    assert [p.name for p in sites.iterdir() if not p.name.startswith("prj_")] == []  # nothing left on the way out
    assert (neighbour / "index.html").read_text() == "other site"


async def test_a_runner_sweeps_folders_of_projects_that_are_gone(pub: Pub) -> None:
    core = pub.core
    sites = core.settings.sites_dir
    for leftover in ("prj_gone0000000000/a", f"{deploy.DELETED}prj_gone0000000000-1a2b/b"):
        (sites / leftover).mkdir(parents=True)
        (sites / leftover / "index.html").write_text("old")
    kept = deploy.project_dir(sites, pub.project_id) / "a"
    kept.mkdir(parents=True)
    await core.runner.reconcile_sites()
    assert sorted(p.name for p in sites.iterdir()) == [pub.project_id]
    assert kept.is_dir()
