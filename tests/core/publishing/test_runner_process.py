"""The publish runner in a child process (what ``comstack serve`` runs): it runs the jobs, answers the dry
run's check and makes the manifests of the dry run and the confirm exactly as the server would; a child that
dies is replaced, and a request waiting on it does its part in the server instead; a child whose server is
SIGKILLed goes too."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime
from pathlib import Path

import pytest

from comstack_core.errors import Conflict, DomainError
from comstack_core.models import Publish
from comstack_core.publishing import deploy
from comstack_core.publishing.manifest import PlannedManifest
from comstack_core.runner_process import RunnerProcess
from comstack_core.schemas import PublishRequest

from .conftest import Pub
from .harness import add_ready_pages, dry_run_and_confirm, edit_and_approve, served_dir, until

BROKEN = "See [the missing page](/docs/nowhere) for more."


class Counted:
    """The server's own check and manifest, counting the times each was asked."""

    def __init__(self, pub: Pub) -> None:
        check = pub.core.publishing.check_plan
        assert check is not None
        self._check, self._manifest = check, pub.core.publishing.manifest_here
        self.calls = self.manifests = 0

    async def check(self, project_id: str, base_url: str, now: datetime) -> list[str]:
        self.calls += 1
        return await self._check(project_id, base_url, now)

    async def manifest(self, project_id: str, public_url: str, now: datetime, whole: bool) -> PlannedManifest:
        self.manifests += 1
        return await self._manifest(project_id, public_url, now, whole)

    def child(self, pub: Pub) -> RunnerProcess:
        return RunnerProcess(pub.core.settings, check=self.check, manifest=self.manifest)


def use(pub: Pub, child: RunnerProcess) -> None:
    pub.core.publishing.use_runner(child.wake, child.check_plan, child.plan_manifest)


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
    sites = pub.core.settings.sites_dir

    async def switched() -> bool:  # the child switches the served link just after it records the success
        return deploy.active_slot(sites, pub.project_id) == job.build_dir

    await until(switched, limit_s=30, what="the child to switch the site")
    return job


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_the_child_checks_plans_and_runs_jobs_as_the_server_would(pub: Pub) -> None:
    await add_ready_pages(pub.core, pub.world.editor, pub.project_id, pub.name, [("docs/a", "Alpha", BROKEN)])
    here = await dry_run_problems(pub)  # the in-process check, as a server without a child has it
    fallback = Counted(pub)
    async with fallback.child(pub).running() as child:
        use(pub, child)
        assert await dry_run_problems(pub) == here
        assert fallback.calls == fallback.manifests == 0, "the child answered the check and the manifest"

        await edit_and_approve(pub, "docs/a", "Now complete.")
        now = pub.core.publishing.now()
        here = pub.core.publishing.manifest_here
        whole = await child.plan_manifest(pub.project_id, "http://testserver", now, True)
        assert whole == await here(pub.project_id, "http://testserver", now, True)
        assert [page.slug for page in whole.manifest().pages] == ["docs/a"]
        # What a confirm asks for crosses without the whole manifest, and never as a model per page.
        record = await child.plan_manifest(pub.project_id, "http://testserver", now, False)
        assert record == await here(pub.project_id, "http://testserver", now, False)
        assert {type(value) for value in vars(record).values()} == {str, int, bool, type(None)}
        assert record.text is None and (record.digest, record.record) == (whole.digest, whole.record)
        [change] = json.loads(record.record)["pages"]
        shown = whole.manifest().pages[0]
        assert change == {"path": shown.path, "change_type": shown.change_type}
        job = await publish_in(pub)
        assert job.claimed_by is not None and job.claimed_by != pub.core.runner.instance
        assert (
            "Now complete."
            in (served_dir(pub.core, pub.project_id) / "docs" / "a" / "index.html").read_text()
        )
        assert fallback.calls == fallback.manifests == 0
        process = child.process
    assert not process.is_alive() and process.exitcode == 0, "stopped cleanly with the server"


async def test_a_refusal_made_in_the_child_reaches_the_caller_as_it_would_here(pub: Pub) -> None:
    ghost = "image:img_" + "z" * 24
    await add_ready_pages(
        pub.core, pub.world.editor, pub.project_id, pub.name, [("docs/a", "Alpha", f"![Gone]({ghost})")]
    )
    here = await dry_run_refusal(pub)
    fallback = Counted(pub)
    async with fallback.child(pub).running() as child:
        use(pub, child)
        there = await dry_run_refusal(pub)
        assert fallback.manifests == 0, "the child made the manifest"
    assert type(there) is type(here) and there.to_dict() == here.to_dict()
    assert here.code == "image_missing" and here.details["findings"]


async def dry_run_refusal(pub: Pub) -> DomainError:
    with pytest.raises(DomainError) as refused:
        await pub.core.publishing.publish(
            pub.world.manager, pub.project_id, PublishRequest(project_name=pub.name)
        )
    return refused.value


async def test_a_dead_child_is_replaced_and_its_dry_run_checks_here(pub: Pub) -> None:
    await add_ready_pages(pub.core, pub.world.editor, pub.project_id, pub.name, [("docs/a", "Alpha", BROKEN)])
    fallback = Counted(pub)
    async with fallback.child(pub).running() as child:
        use(pub, child)
        first = child.process.pid
        os.kill(first, signal.SIGKILL)
        await until(lambda: _async(not child.connected), what="the server to see its child go")
        problems = await dry_run_problems(pub)  # no child at this moment: made and checked here
        assert fallback.calls == fallback.manifests == 1

        await until(lambda: _async(child.connected), what="a new child", limit_s=60)
        assert child.process.pid != first
        assert await dry_run_problems(pub) == problems
        assert fallback.calls == fallback.manifests == 1, "the new child answered"

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
                        work = dict(check=core.publishing.check_plan, manifest=core.publishing.manifest_here)
                        async with RunnerProcess(settings, **work).running() as child:
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
