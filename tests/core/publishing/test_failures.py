"""A publish the gate refuses: it ends failed with the reason, the served site is untouched, the drafts are
back as they were, and the previous deployment is still there for a revert.

The dry run refuses such a publish before it starts (``test_dry_run_check.py``); here it is told not to
look, so the job's own gate is what refuses."""

from __future__ import annotations

import httpx
import pytest

from comstack_core import Settings
from comstack_core.schemas import PageRef, PageStatusUpdate, PageUpdate

from .conftest import Pub
from .harness import add_ready_pages, edit_and_approve, publish_and_run, served_dir, served_slot, snapshot

PAGES = [
    ("guides/intro", "Getting started", "# Intro\n\nVersion one.\n"),
    ("guides/setup", "Setting things up", "# Setup\n\nRead the [intro](/guides/intro).\n"),
]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"publish_check_plan": False})


BROKEN = ("guides/broken", "A page with a dead link", "See [the missing page](/guides/does-not-exist).\n")


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_failed_publish_changes_nothing_and_keeps_the_revert_target(
    client: httpx.AsyncClient, pub: Pub
) -> None:
    core, manager, pid = pub.core, pub.world.manager, pub.project_id
    await add_ready_pages(core, pub.world.editor, pid, pub.name, PAGES)
    first = await publish_and_run(core, manager, pid, pub.name)
    assert first.status == "succeeded", first.error
    first_site = snapshot(served_dir(core, pid))

    await edit_and_approve(pub, "guides/intro", "# Intro\n\nVersion two.\n")
    second = await publish_and_run(core, manager, pid, pub.name)
    assert second.status == "succeeded", second.error
    second_slot, second_site = served_slot(core, pid), snapshot(served_dir(core, pid))

    await edit_and_approve(pub, "guides/setup", "# Setup\n\nVersion three of setup.\n")
    await add_ready_pages(core, pub.world.editor, pid, pub.name, [BROKEN])
    third = await publish_and_run(core, manager, pid, pub.name)
    assert third.status == "failed"
    assert third.error and "broken link" in third.error and "does-not-exist" in third.error
    assert third.finished_at is not None

    # The site readers get is the second deployment, untouched.
    assert served_slot(core, pid) == second_slot
    assert snapshot(served_dir(core, pid)) == second_site
    assert (await client.get("/sites/acme-docs/guides/broken/")).status_code == 404
    assert "Version two" in (await client.get("/sites/acme-docs/guides/intro/")).text
    # The drafts the failed publish promoted are approved drafts again; nothing it touched is live.
    for slug in ("guides/broken", "guides/setup"):
        page = await core.pages.get_page(pub.world.editor, pid, PageRef(slug=slug))
        assert page.status == "ready" and page.has_draft, (slug, page.status)
    setup_live = await core.pages.get_page(
        pub.world.editor, pid, PageRef(slug="guides/setup"), variant="live"
    )
    assert "Version three" not in setup_live.content
    broken = await core.pages.get_page(pub.world.editor, pid, PageRef(slug="guides/broken"))
    assert not broken.is_live

    # The failed publish is not 'the latest' for revert; reverting the second one must bring back the
    # first deployment exactly, even though the failed build used a slot in between.
    reverted = await client.post(
        pub.url(f"/publish/{second.publish_id}/revert"), headers=pub.headers, json={"project_name": pub.name}
    )
    assert reverted.status_code == 200, reverted.text
    assert snapshot(served_dir(core, pid)) == first_site
    assert "Version one" in (await client.get("/sites/acme-docs/guides/intro/")).text

    history = (await client.get(pub.url("/publish/history"), headers=pub.headers)).json()
    assert [p["status"] for p in history] == ["failed", "reverted", "succeeded"]

    # Fixing the page makes the next publish go through, from a clean slate.
    broken_page = await core.pages.get_page(pub.world.editor, pid, PageRef(slug="guides/broken"))
    await core.editing.update_page(
        pub.world.editor,
        pid,
        PageRef(slug="guides/broken"),
        PageUpdate(base_version=broken_page.version, content="See [the intro](/guides/intro).\n"),
    )
    for slug in ("guides/broken", "guides/intro"):
        await core.pages.set_page_status(
            pub.world.editor, pid, PageRef(slug=slug), PageStatusUpdate(status="ready", project_name=pub.name)
        )
    fourth = await publish_and_run(core, manager, pid, pub.name)
    assert fourth.status == "succeeded", fourth.error
    assert (await client.get("/sites/acme-docs/guides/broken/")).status_code == 200
    assert "Version three" in (await client.get("/sites/acme-docs/guides/setup/")).text


async def test_a_refused_build_is_refused_again_not_reused(pub: Pub) -> None:
    """The refused build stays in its slot with the builder's state; the next attempt reuses its files but
    must not take them for checked."""
    core, manager, pid = pub.core, pub.world.manager, pub.project_id
    await add_ready_pages(core, pub.world.editor, pid, pub.name, PAGES)
    assert (await publish_and_run(core, manager, pid, pub.name)).status == "succeeded"
    await add_ready_pages(core, pub.world.editor, pid, pub.name, [BROKEN])
    for _ in range(2):
        again = await publish_and_run(core, manager, pid, pub.name)
        assert again.status == "failed" and again.error and "does-not-exist" in again.error
        assert again.counts.gate is None


async def test_incremental_gate_checks_what_was_written_and_all_when_pages_go(pub: Pub) -> None:
    core, manager, editor, pid = pub.core, pub.world.manager, pub.world.editor, pub.project_id
    await add_ready_pages(core, editor, pid, pub.name, [*PAGES, ("guides/extra", "An extra page", "Extra.")])
    statuses = [await publish_and_run(core, manager, pid, pub.name)]
    for n in range(4):  # until every slot has a checked build
        await edit_and_approve(pub, "guides/intro", f"# Intro\n\nVersion {n + 2}.\n")
        statuses.append(await publish_and_run(core, manager, pid, pub.name))
    assert [s.status for s in statuses] == ["succeeded"] * 5
    assert statuses[0].counts.gate == "full" and statuses[-1].counts.gate == "changed files"
    assert statuses[-1].counts.rendered == 1

    # A broken link written by an incremental build is caught by the limited gate.
    await edit_and_approve(pub, "guides/intro", "# Intro\n\nSee [nowhere](/guides/nowhere).\n")
    broken = await publish_and_run(core, manager, pid, pub.name)
    assert broken.status == "failed" and broken.error and "guides/nowhere" in broken.error
    await edit_and_approve(pub, "guides/intro", "# Intro\n\nFixed, see [setup](/guides/setup).\n")
    assert (await publish_and_run(core, manager, pid, pub.name)).status == "succeeded"

    # A page nothing links to goes without trouble; removing files means the whole site is checked.
    await core.pages.set_page_status(
        manager,
        pid,
        PageRef(slug="guides/extra"),
        PageStatusUpdate(status="unpublished", project_name=pub.name),
    )
    removed = await publish_and_run(core, manager, pid, pub.name)
    assert removed.status == "succeeded", removed.error
    assert removed.counts.gate == "full" and removed.counts.files_removed >= 1

    # Taking down a page that another (unchanged, so not re-rendered) page links to is caught.
    await core.pages.set_page_status(
        manager,
        pid,
        PageRef(slug="guides/setup"),
        PageStatusUpdate(status="unpublished", project_name=pub.name),
    )
    gone = await publish_and_run(core, manager, pid, pub.name)
    assert gone.status == "failed" and gone.error and "guides/setup" in gone.error


async def test_promotion_in_batches_is_undone_whole(pub: Pub, monkeypatch: pytest.MonkeyPatch) -> None:
    from comstack_core.publishing import promotion

    monkeypatch.setattr(promotion, "PROMOTE_BATCH", 2)  # five pages: three transactions
    core, manager, editor, pid = pub.core, pub.world.manager, pub.world.editor, pub.project_id
    await add_ready_pages(
        core, editor, pid, pub.name, [*PAGES, ("a/one", "One", "1."), ("a/two", "Two", "2."), BROKEN]
    )
    failed = await publish_and_run(core, manager, pid, pub.name)
    assert failed.status == "failed" and failed.counts.promoted == 5
    pages = (await core.pages.list_pages(editor, pid)).pages
    assert len(pages) == 5 and {p.status for p in pages} == {"ready"}

    fixed = await core.pages.get_page(editor, pid, PageRef(slug="guides/broken"))
    await core.editing.update_page(
        editor,
        pid,
        PageRef(slug="guides/broken"),
        PageUpdate(base_version=fixed.version, content="Fine now."),
    )
    await core.pages.set_page_status(
        editor, pid, PageRef(slug="guides/broken"), PageStatusUpdate(status="ready", project_name=pub.name)
    )
    done = await publish_and_run(core, manager, pid, pub.name)
    assert done.status == "succeeded" and done.counts.promoted == 5 and done.counts.pages == 5
    assert {p.status for p in (await core.pages.list_pages(editor, pid)).pages} == {"live"}
