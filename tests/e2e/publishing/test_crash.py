"""A server SIGKILLed in the middle of a publish's build, then restarted on the same data: the job is taken
over and ends succeeded or failed (never stuck running), and the site is wholly the old deployment or
wholly the new one at every moment."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select

from comstack_core import Settings
from comstack_core.models import Publish
from comstack_core.publishing import deploy
from comstack_core.schemas import PageRef, PageStatusUpdate, PageUpdate, ThemeUpdate
from comstack_core.schemas.navigation import ThemeColors

from ...core.publishing.conftest import Pub
from ...core.publishing.harness import (
    ServerProcess,
    add_ready_pages,
    free_port,
    heavy_markdown,
    publish_and_run,
    reference_build,
    served_slot,
    snapshot,
    until,
)

PAGES, SECTIONS = 40, 30  # a build of a few seconds: long enough to land a kill inside it


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def processes() -> Iterator[list[ServerProcess]]:
    """Server processes a test started; whatever happens, they are stopped (by their process group id)."""
    started: list[ServerProcess] = []
    yield started
    for process in started:
        process.stop()


@pytest.fixture
def settings(database_url: str, tmp_path: Path, port: int) -> Settings:
    # The same public URL as the server processes, so the in-process reference build matches theirs.
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        public_url=f"http://127.0.0.1:{port}",
        publish_heartbeat_seconds=0.5,
        publish_stale_seconds=2,
    )


async def job(http: httpx.AsyncClient, pid: str, publish_id: str) -> dict[str, Any]:
    response = await http.get(f"/api/projects/{pid}/publish/{publish_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def rerendered(directory: Path, old_site: dict[str, str]) -> int:
    """Pages of the new build already written in ``directory`` (it may start as a copy of the old slot)."""
    if not directory.exists():
        return 0
    now = snapshot(directory)
    return sum(1 for rel, digest in now.items() if rel.endswith("index.html") and old_site.get(rel) != digest)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_sigkill_mid_build_then_restart(
    pub: Pub, port: int, tmp_path: Path, processes: list[ServerProcess]
) -> None:
    core, pid, name = pub.core, pub.project_id, pub.name
    env = {
        "COMSTACK_DATA_DIR": str(core.settings.data_dir),
        "COMSTACK_DATABASE_URL": core.settings.resolved_database_url(),
        "COMSTACK_PUBLISH_STALE_SECONDS": "2",
        "COMSTACK_PUBLISH_HEARTBEAT_SECONDS": "0.5",
        # The job must render the pages itself (not start from the dry run's checked build) for the kill
        # to land in the middle of rendering them.
        "COMSTACK_PUBLISH_CHECK_PLAN": "false",
    }
    log = tmp_path / "server.log"
    server = ServerProcess(env, port=port).launch(log)  # boots while the test seeds the project
    processes.append(server)
    pages = [(f"docs/p{i}", f"Document number {i}", heavy_markdown(i, PAGES, SECTIONS)) for i in range(PAGES)]
    await add_ready_pages(core, pub.world.editor, pid, name, pages)
    first = await publish_and_run(core, pub.world.manager, pid, name)
    assert first.status == "succeeded", first.error
    old_slot = served_slot(core, pid)
    assert old_slot is not None
    sites = core.settings.sites_dir
    old_site = snapshot(deploy.slot_path(sites, pid, old_slot))
    old_page = (deploy.slot_path(sites, pid, old_slot) / "docs/p7/index.html").read_bytes()

    # The next publish re-renders every page (theme change) and changes one page's words.
    await core.navigation.update_theme(
        pub.world.manager, pid, ThemeUpdate(project_name=name, colors=ThemeColors(primary="#aa3300"))
    )
    page = await core.pages.get_page(pub.world.editor, pid, PageRef(slug="docs/p7"))
    await core.editing.update_page(
        pub.world.editor,
        pid,
        PageRef(slug="docs/p7"),
        PageUpdate(base_version=page.version, content="Rewritten after the crash test began.\n"),
    )
    await core.pages.set_page_status(
        pub.world.editor, pid, PageRef(slug="docs/p7"), PageStatusUpdate(status="ready", project_name=name)
    )

    await asyncio.to_thread(server.wait_ready)
    http = httpx.AsyncClient(base_url=server.base_url, headers=pub.headers, timeout=10)
    async with http:
        dry = await http.post(f"/api/projects/{pid}/publish", json={"project_name": name})
        assert dry.status_code == 200, dry.text
        assert dry.json()["manifest"]["theme_changes"] == ["colors"]
        started = await http.post(
            f"/api/projects/{pid}/publish/confirm",
            json={"project_name": name, "confirmation_token": dry.json()["confirmation_token"]},
        )
        assert started.status_code == 202, started.text
        publish_id = started.json()["publish_id"]

        # Wait until the build is really writing the new slot, then kill the server and its helpers.
        target = deploy.slot_path(sites, pid, deploy.next_slot(sites, pid))

        async def mid_build() -> bool:
            building = (await job(http, pid, publish_id))["progress"].get("step") == "building"
            return building and rerendered(target, old_site) >= 3

        await until(mid_build, every=0.02, what="the build to be under way")
        server.kill()

    async with core.db.read() as session:
        interrupted = (await session.exec(select(Publish).where(Publish.id == publish_id))).one()
    assert interrupted.status == "running" and interrupted.progress["step"] == "building"
    written = rerendered(target, old_site)
    assert 3 <= written < PAGES, f"the kill did not land mid-build ({written} of {PAGES} pages written)"
    # The crash left the served deployment alone.
    assert served_slot(core, pid) == old_slot
    assert snapshot(deploy.slot_path(sites, pid, old_slot)) == old_site

    server = ServerProcess(env, port=port).launch(log)  # same data, same settings
    processes.append(server)
    await asyncio.to_thread(server.wait_ready)
    seen: list[bytes] = []
    async with httpx.AsyncClient(base_url=server.base_url, headers=pub.headers, timeout=10) as http:

        async def finished() -> dict[str, Any] | None:
            page = await http.get("/sites/acme-docs/docs/p7/")
            assert page.status_code == 200
            seen.append(page.content)
            status = await job(http, pid, publish_id)
            return status if status["status"] != "running" else None

        final = await until(finished, limit_s=90, every=0.1, what="the taken-over publish to finish")
        history = (await http.get(f"/api/projects/{pid}/publish/history")).json()
    server.stop()

    assert final["status"] in ("succeeded", "failed"), final
    assert "went silent; taking the job over" in " ".join(log.read_text().split())  # the new runner took it
    assert [p["status"] for p in history] == [final["status"], "succeeded"]
    if final["status"] == "succeeded":
        new_slot = served_slot(core, pid)
        assert new_slot is not None and new_slot != old_slot
        assert final["counts"]["pages"] == PAGES and final["error"] is None
        # The steps done before the crash keep their timings; the resumed ones add theirs.
        assert {"promote", "translate", "build", "check"} <= set(final["timings"])
        expected = await reference_build(core, pid, tmp_path / "reference")
        assert snapshot(deploy.slot_path(sites, pid, new_slot)) == expected
        new_page = (deploy.slot_path(sites, pid, new_slot) / "docs/p7/index.html").read_bytes()
        assert b"Rewritten after the crash test began." in new_page
        # Every read during the recovery got the old page or the new one, never anything else.
        assert set(seen) <= {old_page, new_page}, "a reader saw a half-deployed site"
    else:
        assert served_slot(core, pid) == old_slot
        assert snapshot(deploy.slot_path(sites, pid, old_slot)) == old_site
        assert set(seen) == {old_page}
