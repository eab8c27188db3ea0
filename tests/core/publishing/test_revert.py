"""Revert within the window (pages back to their previous live versions, the site back to the previous
deployment, the reverted content kept as a draft), refusal after it (injected time), and history."""

from __future__ import annotations

import asyncio
import contextlib
import shutil

import httpx
import pytest

from comstack_core import Core
from comstack_core.publishing import deploy
from comstack_core.schemas import PageRef, PageStatusUpdate, PageUpdate

from .conftest import Pub
from .harness import add_ready_pages, dry_run_and_confirm, publish_and_run, served_dir, served_slot, snapshot

V1 = [
    ("guides/intro", "Getting started", "# Intro\n\nVersion one of the intro.\n"),
    ("guides/setup", "Setting things up", "# Setup\n\nRead the [intro](/guides/intro) first.\n"),
]


async def edit_and_approve(pub: Pub, slug: str, content: str) -> None:
    core, editor = pub.core, pub.world.editor
    page = await core.pages.get_page(editor, pub.project_id, PageRef(slug=slug))
    await core.editing.update_page(
        editor, pub.project_id, PageRef(slug=slug), PageUpdate(base_version=page.version, content=content)
    )
    await approve(pub, slug)


async def approve(pub: Pub, slug: str) -> None:
    await pub.core.pages.set_page_status(
        pub.world.editor,
        pub.project_id,
        PageRef(slug=slug),
        PageStatusUpdate(status="ready", project_name=pub.name),
    )


async def revert(
    client: httpx.AsyncClient, pub: Pub, publish_id: str, name: str | None = None
) -> httpx.Response:
    return await client.post(
        pub.url(f"/publish/{publish_id}/revert"), headers=pub.headers, json={"project_name": name or pub.name}
    )


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_revert_within_the_window(client: httpx.AsyncClient, pub: Pub) -> None:
    core, manager = pub.core, pub.world.manager
    await add_ready_pages(core, pub.world.editor, pub.project_id, pub.name, V1)
    first = await publish_and_run(core, manager, pub.project_id, pub.name)
    assert first.status == "succeeded", first.error
    old_slot, old_files = served_slot(core, pub.project_id), snapshot(served_dir(core, pub.project_id))
    base = "/sites/acme-docs/"
    assert "Version one" in (await client.get(base + "guides/intro/")).text

    await edit_and_approve(pub, "guides/intro", "# Intro\n\nVersion two of the intro.\n")
    await add_ready_pages(
        core, pub.world.editor, pub.project_id, pub.name, [("faq/new", "A new page", "Fresh.")]
    )
    second = await publish_and_run(core, manager, pub.project_id, pub.name)
    assert second.status == "succeeded", second.error
    assert served_slot(core, pub.project_id) != old_slot
    assert "Version two" in (await client.get(base + "guides/intro/")).text
    assert (await client.get(base + "faq/new/")).status_code == 200

    # Only the latest publish, with the name echo.
    older = await revert(client, pub, first.publish_id)
    assert older.status_code == 409 and older.json()["code"] == "not_latest_publish"
    echo = await revert(client, pub, second.publish_id, name="Acme")
    assert echo.status_code == 400 and echo.json()["code"] == "project_name_mismatch"

    pub.clock.advance(seconds=core.settings.revert_window_seconds - 60)
    reverted = await revert(client, pub, second.publish_id)
    assert reverted.status_code == 200, reverted.text
    assert reverted.json()["status"] == "reverted" and reverted.json()["reverted_at"]

    # The site is the first deployment again, file for file.
    assert served_slot(core, pub.project_id) == old_slot
    assert snapshot(served_dir(core, pub.project_id)) == old_files
    assert "Version one" in (await client.get(base + "guides/intro/")).text
    assert (await client.get(base + "faq/new/")).status_code == 404

    # Live versions are back; the reverted content waits as an unapproved draft.
    intro = await core.pages.get_page(pub.world.editor, pub.project_id, PageRef(slug="guides/intro"))
    assert intro.status == "draft" and "Version two" in intro.content
    live = await core.pages.get_page(
        pub.world.editor, pub.project_id, PageRef(slug="guides/intro"), variant="live"
    )
    assert "Version one" in live.content
    new = await core.pages.get_page(pub.world.editor, pub.project_id, PageRef(slug="faq/new"))
    assert new.status == "draft" and not new.is_live

    history = (await client.get(pub.url("/publish/history"), headers=pub.headers)).json()
    assert [(p["publish_id"], p["status"]) for p in history] == [
        (second.publish_id, "reverted"),
        (first.publish_id, "succeeded"),
    ]
    twice = await revert(client, pub, second.publish_id)
    assert twice.status_code == 409 and twice.json()["code"] == "not_revertable"

    # Approving again publishes the reverted content again.
    await approve(pub, "guides/intro")
    await approve(pub, "faq/new")
    third = await publish_and_run(core, manager, pub.project_id, pub.name)
    assert third.status == "succeeded", third.error
    assert "Version two" in (await client.get(base + "guides/intro/")).text
    assert (await client.get(base + "faq/new/")).status_code == 200


async def test_revert_after_the_window_is_refused(client: httpx.AsyncClient, pub: Pub) -> None:
    core = pub.core
    await add_ready_pages(core, pub.world.editor, pub.project_id, pub.name, V1)
    done = await publish_and_run(core, pub.world.manager, pub.project_id, pub.name)
    pub.clock.advance(seconds=core.settings.revert_window_seconds + 1)
    late = await revert(client, pub, done.publish_id)
    assert late.status_code == 409 and late.json()["code"] == "revert_window_passed"
    assert served_slot(core, pub.project_id) is not None
    assert (await client.get("/sites/acme-docs/guides/intro/")).status_code == 200


async def test_revert_of_the_first_publish_takes_the_site_down(client: httpx.AsyncClient, pub: Pub) -> None:
    core = pub.core
    await add_ready_pages(core, pub.world.editor, pub.project_id, pub.name, V1)
    done = await publish_and_run(core, pub.world.manager, pub.project_id, pub.name)
    assert (await revert(client, pub, done.publish_id)).status_code == 200
    assert served_slot(core, pub.project_id) is None
    assert (await client.get("/sites/acme-docs/")).status_code == 404
    page = await core.pages.get_page(pub.world.editor, pub.project_id, PageRef(slug="guides/intro"))
    assert page.status == "draft" and not page.is_live


async def test_two_reverts_then_a_restart_keep_the_site_as_the_database_says(
    client: httpx.AsyncClient, pub: Pub
) -> None:
    core = pub.core
    await add_ready_pages(core, pub.world.editor, pub.project_id, pub.name, V1)
    first = await publish_and_run(core, pub.world.manager, pub.project_id, pub.name)
    await edit_and_approve(pub, "guides/intro", "# Intro\n\nVersion two.\n")
    second = await publish_and_run(core, pub.world.manager, pub.project_id, pub.name)
    assert (await revert(client, pub, second.publish_id)).status_code == 200
    assert (await revert(client, pub, first.publish_id)).status_code == 200
    assert served_slot(core, pub.project_id) is None

    # A restarting server repairs the served slot from the database: here, that means no site.
    async with Core.open(core.settings, clock=pub.clock) as restarted:
        await restarted.runner.reconcile_sites()
    assert served_slot(core, pub.project_id) is None
    assert (await client.get("/sites/acme-docs/")).status_code == 404


async def test_restart_repairs_a_switch_lost_between_commit_and_rename(
    client: httpx.AsyncClient, pub: Pub
) -> None:
    core = pub.core
    await add_ready_pages(core, pub.world.editor, pub.project_id, pub.name, V1)
    first = await publish_and_run(core, pub.world.manager, pub.project_id, pub.name)
    await edit_and_approve(pub, "guides/intro", "# Intro\n\nVersion two.\n")
    second = await publish_and_run(core, pub.world.manager, pub.project_id, pub.name)
    # The process died after recording the publish and before renaming `current`.
    deploy.activate(core.settings.sites_dir, pub.project_id, "a")
    assert first.status == "succeeded"
    assert "Version one" in (await client.get("/sites/acme-docs/guides/intro/")).text
    async with Core.open(core.settings, clock=pub.clock) as restarted:
        await restarted.runner.reconcile_sites()
    assert served_slot(core, pub.project_id) == "b"
    assert "Version two" in (await client.get("/sites/acme-docs/guides/intro/")).text
    assert second.status == "succeeded"


async def test_restart_repairs_current_made_a_folder(pub: Pub, caplog: pytest.LogCaptureFixture) -> None:
    """The sites folder copied without keeping its links: ``current`` is a folder, which a rename cannot
    replace; the restart's repair puts the link back, and so does the next publish's switch."""
    core = pub.core
    await add_ready_pages(core, pub.world.editor, pub.project_id, pub.name, V1)
    await publish_and_run(core, pub.world.manager, pub.project_id, pub.name)
    served = served_slot(core, pub.project_id)
    link = core.settings.sites_dir / pub.project_id / "current"
    slot = link.resolve()
    link.unlink()
    shutil.copytree(slot, link)
    assert served_slot(core, pub.project_id) is None
    async with Core.open(core.settings, clock=pub.clock) as restarted:
        await restarted.runner.reconcile_sites()
    assert link.is_symlink() and served_slot(core, pub.project_id) == served
    assert any("was a folder" in r.getMessage() for r in caplog.records)

    link.unlink()
    shutil.copytree(slot, link)
    await edit_and_approve(pub, "guides/intro", "# Intro\n\nVersion two.\n")
    done = await publish_and_run(core, pub.world.manager, pub.project_id, pub.name)
    assert done.status == "succeeded"
    assert "Version two" in (served_dir(core, pub.project_id) / "guides/intro/index.html").read_text()


async def test_a_site_that_cannot_be_put_right_does_not_stop_the_runner(
    pub: Pub, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A project whose site the restart's repair cannot set right is logged; the runner still runs the jobs
    that follow (before, its loop ended there and every later publish stayed queued)."""
    core = pub.core
    await add_ready_pages(core, pub.world.editor, pub.project_id, pub.name, V1)
    await publish_and_run(core, pub.world.manager, pub.project_id, pub.name)

    async def broken(*args: object, **kwargs: object) -> None:
        raise PermissionError("the sites folder is read-only")

    await edit_and_approve(pub, "guides/intro", "# Intro\n\nVersion two.\n")
    async with Core.open(core.settings, clock=pub.clock) as restarted:
        # Held for the whole run (only the start-up repair and a revert call it), so the repair surely fails.
        monkeypatch.setattr(deploy, "sync_site", broken)
        runner = asyncio.create_task(restarted.runner.run_forever(poll_seconds=0.05))
        try:
            publish_id = await dry_run_and_confirm(restarted, pub.world.manager, pub.project_id, pub.name)
            async with asyncio.timeout(60):
                status = await restarted.publishing.publish_status(pub.world.manager, pub.project_id, publish_id)
                while status.status == "running":  # the job's end is only seen by asking again
                    await asyncio.sleep(0.05)
                    status = await restarted.publishing.publish_status(
                        pub.world.manager, pub.project_id, publish_id
                    )
        finally:
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await runner
    assert status.status == "succeeded", status
    assert any(pub.project_id in r.getMessage() for r in caplog.records if r.levelname == "ERROR")
