"""The publish runner in a child process (what ``comstack serve`` runs): it runs the jobs and answers the dry
run's check exactly as the in-process runner does; a child that dies is replaced, and a dry run waiting on it
checks in the server instead; a child whose server is SIGKILLed goes too."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime
from pathlib import Path

import pytest

from comstack_core.errors import Conflict
from comstack_core.models import Publish
from comstack_core.runner_process import RunnerProcess
from comstack_core.schemas import PublishRequest

from .conftest import Pub
from .harness import add_ready_pages, dry_run_and_confirm, edit_and_approve, served_dir, until

BROKEN = "See [the missing page](/docs/nowhere) for more."


class Counted:
    """The server's own check, counting the times it was asked."""

    def __init__(self, pub: Pub) -> None:
        check = pub.core.publishing.check_plan
        assert check is not None
        self.check, self.calls = check, 0

    async def __call__(self, project_id: str, base_url: str, now: datetime) -> list[str]:
        self.calls += 1
        return await self.check(project_id, base_url, now)


async def dry_run_problems(pub: Pub) -> list[str]:
    with pytest.raises(Conflict) as refused:
        await pub.core.publishing.publish(
            pub.world.manager, pub.project_id, PublishRequest(project_name=pub.name)
        )
    assert refused.value.code == "site_check_failed"
    problems = refused.value.details["problems"]
    assert problems
    return list(problems)


async def publish_in(pub: Pub) -> Publish:
    publish_id = await dry_run_and_confirm(pub.core, pub.world.manager, pub.project_id, pub.name)

    async def finished() -> Publish | None:
        async with pub.core.db.read() as session:
            job = await session.get_one(Publish, publish_id)
        return job if job.status != "running" else None

    job = await until(finished, limit_s=120, what="the child to run the job")
    assert job.status == "succeeded", job.error
    return job


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_the_child_checks_plans_and_runs_jobs_as_the_server_would(pub: Pub) -> None:
    await add_ready_pages(pub.core, pub.world.editor, pub.project_id, pub.name, [("docs/a", "Alpha", BROKEN)])
    here = await dry_run_problems(pub)  # the in-process check, as a server without a child has it
    fallback = Counted(pub)
    async with RunnerProcess(pub.core.settings, fallback).running() as child:
        pub.core.publishing.use_runner(child.wake, child.check_plan)
        assert await dry_run_problems(pub) == here
        assert fallback.calls == 0, "the child answered the check"

        await edit_and_approve(pub, "docs/a", "Now complete.")
        job = await publish_in(pub)
        assert job.claimed_by is not None and job.claimed_by != pub.core.runner.instance
        assert (
            "Now complete."
            in (served_dir(pub.core, pub.project_id) / "docs" / "a" / "index.html").read_text()
        )
        assert fallback.calls == 0
        process = child.process
    assert not process.is_alive() and process.exitcode == 0, "stopped cleanly with the server"


async def test_a_dead_child_is_replaced_and_its_dry_run_checks_here(pub: Pub) -> None:
    await add_ready_pages(pub.core, pub.world.editor, pub.project_id, pub.name, [("docs/a", "Alpha", BROKEN)])
    fallback = Counted(pub)
    async with RunnerProcess(pub.core.settings, fallback).running() as child:
        pub.core.publishing.use_runner(child.wake, child.check_plan)
        first = child.process.pid
        os.kill(first, signal.SIGKILL)
        await until(lambda: _async(not child.connected), what="the server to see its child go")
        problems = await dry_run_problems(pub)  # no child at this moment: checked here
        assert fallback.calls == 1

        await until(lambda: _async(child.connected), what="a new child", limit_s=60)
        assert child.process.pid != first
        assert await dry_run_problems(pub) == problems
        assert fallback.calls == 1, "the new child answered"

        await edit_and_approve(pub, "docs/a", "Fixed.")
        await publish_in(pub)


def test_the_child_goes_when_its_server_is_killed(tmp_path: Path) -> None:
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import asyncio
                from comstack_core import Core, Settings
                from comstack_core.runner_process import RunnerProcess

                async def main():
                    settings = Settings(data_dir={str(tmp_path / "data")!r})
                    async with Core.open(settings) as core:
                        async with RunnerProcess(settings, core.publishing.check_plan).running() as child:
                            print(child.process.pid, flush=True)
                            await asyncio.sleep(600)

                asyncio.run(main())
                """
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        child = int(server.stdout.readline())
        assert _running(child)
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
        deadline = time.monotonic() + 20
        while _running(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _running(child), "the runner outlived its server"
    finally:
        server.kill()
        server.wait()


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


async def _async(value: bool) -> bool:
    return value
