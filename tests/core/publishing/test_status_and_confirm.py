"""What a server does for a publish while requests keep coming: a job's status and the history are read
without the job's large columns (yet say the URL the publish was built for, whichever process asks); the dry
run lists a large site a few hundred pages at a time, with the same result; the confirm makes its manifest
before it takes the write lock."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import col

from comstack_core import Core
from comstack_core.errors import NotFound
from comstack_core.models import Project, Publish
from comstack_core.publishing import manifest, service
from comstack_core.publishing.manifest import build_manifest
from comstack_core.publishing.tokens import check_token
from comstack_core.schemas import ManifestPage, PublishConfirm, PublishRequest

from .conftest import Pub
from .harness import add_ready_pages, dry_run_and_confirm, publish_and_run, served_dir


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_status_and_history_name_the_url_the_publish_was_built_for(pub: Pub) -> None:
    await add_ready_pages(
        pub.core, pub.world.editor, pub.project_id, pub.name, [("docs/a", "Alpha", "Text.")]
    )
    done = await publish_and_run(pub.core, pub.world.manager, pub.project_id, pub.name)
    assert done.status == "succeeded", done.error
    built_for = done.site_url
    assert built_for.startswith("http://testserver/")
    # Neither reads the manifest (19 MB at 50,000 pages): without it they still name the URL.
    async with pub.core.db.write() as session:
        await session.exec(update(Publish).where(col(Publish.id) == done.publish_id).values(manifest={}))

    moved = pub.core.settings.model_copy(update={"public_url": "https://docs.example.com"})
    async with Core.open(moved) as other:
        status = await other.publishing.publish_status(pub.world.manager, pub.project_id, done.publish_id)
        assert status.site_url == built_for
        assert status.model_dump() == done.model_dump()
        [listed] = await other.publishing.list_publish_history(pub.world.manager, pub.project_id)
        assert listed == status
        with pytest.raises(NotFound):
            await other.publishing.publish_status(pub.world.manager, pub.project_id, "pub_nope")


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_a_job_run_by_another_process_builds_for_the_url_the_dry_run_showed(pub: Pub) -> None:
    await add_ready_pages(
        pub.core, pub.world.editor, pub.project_id, pub.name, [("docs/a", "Alpha", "Text.")]
    )
    publish_id = await dry_run_and_confirm(pub.core, pub.world.manager, pub.project_id, pub.name)
    # The URL is the publish's own column, not a second reading of the manifest.
    async with pub.core.db.read() as session:
        shown = (await session.get_one(Publish, publish_id)).manifest
    async with pub.core.db.write() as session:
        await session.exec(
            update(Publish)
            .where(col(Publish.id) == publish_id)
            .values(manifest={**shown, "target_site_url": "https://elsewhere.example.com/"})
        )
    moved = pub.core.settings.model_copy(update={"public_url": "https://docs.example.com"})
    async with Core.open(moved) as other:
        await other.runner.run_pending()
        status = await other.publishing.publish_status(pub.world.manager, pub.project_id, publish_id)
    assert status.status == "succeeded", status.error
    assert status.site_url.startswith("http://testserver/")
    sitemap = (served_dir(pub.core, pub.project_id) / "sitemap.xml").read_text()
    assert f"<loc>{status.site_url}" in sitemap
    assert "docs.example.com" not in sitemap and "elsewhere" not in sitemap


async def test_the_manifest_made_in_turns_is_the_manifest_made_at_once(
    pub: Pub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large dry run reads, lints and lists its pages a few at a time, giving requests their turns between
    and holding one turn's texts at once; the pages, their order, the findings (the lint's and the images')
    and the binding hash must be what one pass over all of them gives."""
    await add_ready_pages(
        pub.core,
        pub.world.editor,
        pub.project_id,
        pub.name,
        [
            (f"docs/{name}", name.title(), f"About {name}.\n\n![](https://example.com/{name}.png)\n")
            for name in ("kilo", "alpha", "echo", "bravo", "golf")
        ],
    )
    dry_runs = []
    for turn in (10_000, 2, 1):
        monkeypatch.setattr(manifest, "TURN", turn)
        dry_runs.append(
            await pub.core.publishing.publish(
                pub.world.manager, pub.project_id, PublishRequest(project_name=pub.name)
            )
        )
    once, *in_turns = [d.manifest.model_dump() for d in dry_runs]
    assert len(once["pages"]) >= 5
    rules = [finding["rule"] for finding in once["lint"]["findings"]]
    assert "title-length" in rules and rules.count("image-alt-missing") == 5
    assert all(made == once for made in in_turns)
    digests = {await token_digest(pub, d.confirmation_token) for d in dry_runs}
    assert len(digests) == 1


async def token_digest(pub: Pub, raw: str) -> str:
    async with pub.core.db.read() as session:
        return (await check_token(session, pub.project_id, raw, pub.core.publishing.now())).manifest_hash


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_the_confirm_makes_its_manifest_before_taking_the_write_lock(
    pub: Pub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At thousands of pages the manifest takes seconds; other writes (a save, a key's last-used stamp) must
    not wait for it. A write made while the confirm computes its manifest goes through at once."""
    await add_ready_pages(
        pub.core, pub.world.editor, pub.project_id, pub.name, [("docs/a", "Alpha", "Text.")]
    )
    dry = await pub.core.publishing.publish(
        pub.world.manager, pub.project_id, PublishRequest(project_name=pub.name)
    )
    writes: list[str] = []

    async def manifest_and_a_write(*args: Any, **kwargs: Any) -> Any:
        async def write() -> None:
            async with pub.core.db.write() as session:
                await session.exec(update(Project).where(col(Project.id) == "prj_none").values(name="x"))
            writes.append("done")

        await asyncio.wait_for(write(), timeout=5)
        return await build_manifest(*args, **kwargs)

    monkeypatch.setattr(service, "build_manifest", manifest_and_a_write)
    started = await pub.core.publishing.publish_confirm(
        pub.world.manager,
        pub.project_id,
        PublishConfirm(project_name=pub.name, confirmation_token=dry.confirmation_token),
    )
    assert writes == ["done"] and started.status == "running"


async def test_the_dry_run_holds_no_page_entries_while_its_check_runs(pub: Pub) -> None:
    """A large site's check takes minutes; the manifest's page entries (50,000 at 50,000 pages) held through it
    made each of the server's full garbage collections walk them. They are made for the answer after it."""
    await add_ready_pages(
        pub.core,
        pub.world.editor,
        pub.project_id,
        pub.name,
        [(f"docs/{name}", name.title(), f"About {name}.") for name in ("alpha", "bravo", "charlie")],
    )
    publishing = pub.core.publishing
    check = publishing.check_plan
    assert check is not None
    alive: list[int] = []

    async def counting_check(project_id: str, base_url: str, now: Any) -> list[str]:
        gc.collect()
        alive.append(sum(isinstance(o, ManifestPage) for o in gc.get_objects()))
        return await check(project_id, base_url, now)

    publishing.use_runner(publishing.wake_runner, counting_check, publishing.plan_manifest)
    dry = await publishing.publish(pub.world.manager, pub.project_id, PublishRequest(project_name=pub.name))
    assert alive == [0]
    assert [page.slug for page in dry.manifest.pages] == ["docs/alpha", "docs/bravo", "docs/charlie"]
