"""The job runner across processes' worth of runners (two Cores on one database): a live job is never taken
over because clocks disagree, and a runner that lost its job to another stops without deploying."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import col

from comstack_core import Core, Settings
from comstack_core.models import Publish
from comstack_core.schemas import PublishConfirm, PublishRequest

from .conftest import Pub
from .harness import add_ready_pages, heavy_markdown, reference_build, served_dir, snapshot, until

PAGES, SECTIONS = 30, 40


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        public_url="http://testserver",
        publish_heartbeat_seconds=0.05,
        publish_stale_seconds=0.2,
    )


async def confirmed(pub: Pub) -> str:
    pages = [(f"docs/p{i}", f"Document number {i}", heavy_markdown(i, PAGES, SECTIONS)) for i in range(PAGES)]
    await add_ready_pages(pub.core, pub.world.editor, pub.project_id, pub.name, pages)
    dry = await pub.core.publishing.publish(
        pub.world.manager, pub.project_id, PublishRequest(project_name=pub.name)
    )
    started = await pub.core.publishing.publish_confirm(
        pub.world.manager,
        pub.project_id,
        PublishConfirm(project_name=pub.name, confirmation_token=dry.confirmation_token),
    )
    return started.publish_id


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_a_live_job_is_not_taken_over_when_clocks_disagree(pub: Pub) -> None:
    publish_id = await confirmed(pub)
    pub.clock.advance(hours=-1)  # this runner's host is an hour behind the other one
    job = asyncio.create_task(pub.core.runner.run_pending())
    async with Core.open(pub.core.settings) as other:  # the real clock
        began, observed = time.monotonic(), 0
        while not job.done():
            assert await other.runner.claim() is None, "a live job was taken over"
            observed += 1
            await asyncio.sleep(0.05)
        watched = time.monotonic() - began
    assert await job is True
    assert watched > 3 * pub.core.settings.publish_stale_seconds, f"the job ran only {watched:.2f}s"
    status = await pub.core.publishing.publish_status(pub.world.manager, pub.project_id, publish_id)
    assert status.status == "succeeded", status.error


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_a_runner_that_lost_its_job_stops_and_the_new_owner_finishes(pub: Pub, tmp_path: Path) -> None:
    core = pub.core
    publish_id = await confirmed(pub)
    first = asyncio.create_task(core.runner.run_pending())

    async def building() -> bool:
        status = await core.publishing.publish_status(pub.world.manager, pub.project_id, publish_id)
        return status.progress.get("step") == "building"

    await until(building, every=0.02, what="the build")
    async with Core.open(core.settings, clock=pub.clock) as other:
        # Another runner decided ours was dead (a long pause, say) and took the job while it was building.
        async with core.db.write() as session:
            await session.exec(
                update(Publish).where(col(Publish.id) == publish_id).values(claimed_by=other.runner.instance)
            )
        second = asyncio.create_task(other.runner.run_job(publish_id))
        await asyncio.gather(first, second)
    status = await core.publishing.publish_status(pub.world.manager, pub.project_id, publish_id)
    assert status.status == "succeeded" and status.error is None
    assert snapshot(served_dir(core, pub.project_id)) == await reference_build(
        core, pub.project_id, tmp_path / "r"
    )
    history = await core.publishing.list_publish_history(pub.world.manager, pub.project_id)
    assert [p.status for p in history] == ["succeeded"]
