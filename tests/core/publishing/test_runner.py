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
from comstack_core.publishing import deploy
from comstack_core.schemas import ProgressStage, PublishStep

from .conftest import Pub
from .harness import (
    add_ready_pages,
    dry_run_and_confirm,
    heavy_markdown,
    reference_build,
    served_dir,
    snapshot,
    until,
)

PAGES, SECTIONS = 30, 40


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        public_url="http://testserver",
        publish_heartbeat_seconds=0.1,
        publish_stale_seconds=0.5,
        # These tests watch runners while the job builds the site; a job that starts from its dry run's
        # checked build only links it, too quickly to be caught building (test_slots covers that path).
        publish_check_plan=False,
    )


async def confirmed(pub: Pub, pages: int = PAGES, first: int = 0) -> str:
    await add_ready_pages(
        pub.core,
        pub.world.editor,
        pub.project_id,
        pub.name,
        [
            (f"docs/p{i}", f"Document number {i}", heavy_markdown(i, first + pages, SECTIONS))
            for i in range(first, first + pages)
        ],
    )
    return await dry_run_and_confirm(pub.core, pub.world.manager, pub.project_id, pub.name)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_a_live_job_is_not_taken_over_when_clocks_disagree(pub: Pub) -> None:
    core = pub.core
    publish_id = await confirmed(pub, pages=3)
    pub.clock.advance(hours=-1)  # this runner's host is an hour behind the other one
    # Holding the project's build lock keeps the job alive but waiting, for as long as the test wants.
    async with deploy.build_lock(core.settings.sites_dir, pub.project_id):
        job = asyncio.create_task(core.runner.run_pending())

        async def waiting() -> bool:
            status = await core.publishing.publish_status(pub.world.manager, pub.project_id, publish_id)
            return status.step == PublishStep.translated

        await until(waiting, what="the job to reach the build")
        async with Core.open(core.settings) as other:  # the real clock
            began = time.monotonic()
            while time.monotonic() - began < 4 * core.settings.publish_stale_seconds:
                assert await other.runner.claim() is None, "a live job was taken over"
                await asyncio.sleep(0.05)
    assert await job is True
    status = await core.publishing.publish_status(pub.world.manager, pub.project_id, publish_id)
    assert status.status == "succeeded", status.error

    # A runner that really died is taken over, judged on the observer's own clock.
    dead = await confirmed(pub, pages=1, first=3)
    async with core.db.write() as session:
        await session.exec(
            update(Publish)
            .where(col(Publish.id) == dead)
            .values(claimed_by="run_gone", heartbeat_at=pub.clock())
        )
    async with Core.open(core.settings) as other:
        began = time.monotonic()
        assert await other.runner.claim() is None  # first sight: silence has not lasted yet
        taken = await until(other.runner.claim, every=0.05, what="the take-over")
        assert taken == dead and time.monotonic() - began >= core.settings.publish_stale_seconds
        await other.runner.run_job(dead)
    assert (
        await core.publishing.publish_status(pub.world.manager, pub.project_id, dead)
    ).status == "succeeded"


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_a_runner_that_lost_its_job_stops_and_the_new_owner_finishes(pub: Pub, tmp_path: Path) -> None:
    core = pub.core
    publish_id = await confirmed(pub)
    first = asyncio.create_task(core.runner.run_pending())

    async def building() -> bool:
        status = await core.publishing.publish_status(pub.world.manager, pub.project_id, publish_id)
        return status.progress.step == ProgressStage.building

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
