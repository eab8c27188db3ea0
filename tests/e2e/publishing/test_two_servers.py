"""Two ``comstack serve`` processes on one PostgreSQL database, one Redis and one data directory, as N servers
behind a proxy run: what must hold once across them (a rate limit, a publish token, an OAuth code, a publish
job's runner, a revoked key) and what must be the same on both (the site's bytes).

Every request carries an ``X-Forwarded-For`` address of its own, as a proxy would send (the servers trust
loopback as their proxy), so the counts in the shared Redis are this test's alone."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select

from comstack_core import Settings
from comstack_core.models import Publish
from comstack_core.publishing import deploy
from comstack_core.schemas import ThemeUpdate
from comstack_core.schemas.navigation import ThemeColors
from comstack_core.services.keys import KEY_CACHE_SECONDS

from ...conftest import REDIS_URL, make_user, require_service
from ...core.publishing.conftest import Pub
from ...core.publishing.harness import ServerProcess, add_ready_pages, heavy_markdown, until
from ...http.oauth.conftest import PASSWORD, FormClient, Person

PAGES, SECTIONS = 40, 30  # a build of a few seconds: long enough to land a kill inside it
PAGE = "/sites/acme-docs/docs/p7/"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, public_url="http://testserver")


@pytest.fixture
def servers() -> Iterator[list[ServerProcess]]:
    started: list[ServerProcess] = []
    yield started
    for server in started:
        if server.proc is not None and server.proc.poll() is None:
            os.killpg(server.proc.pid, signal.SIGCONT)  # in case a failure left one paused
        server.stop()


async def claimed_by(pub: Pub, publish_id: str) -> tuple[str | None, str]:
    async with pub.core.db.read() as session:
        job = (await session.exec(select(Publish).where(Publish.id == publish_id))).one()
    return job.claimed_by, job.status


async def confirm_on_both(clients: list[httpx.AsyncClient], pub: Pub) -> tuple[str, list[httpx.Response]]:
    """A dry run on the first server; its token confirmed on both at once. Returns the publish id."""
    dry = await clients[0].post(pub.url("/publish"), json={"project_name": pub.name})
    assert dry.status_code == 200, dry.text
    body = {"project_name": pub.name, "confirmation_token": dry.json()["confirmation_token"]}
    answers = await asyncio.gather(*(c.post(pub.url("/publish/confirm"), json=body) for c in clients))
    codes = sorted(a.status_code for a in answers)
    assert codes == [202, 409], [a.text for a in answers]
    refused = next(a for a in answers if a.status_code == 409)
    assert refused.json()["code"] == "token_used", refused.text
    return next(a for a in answers if a.status_code == 202).json()["publish_id"], list(answers)


@pytest.mark.parametrize("backend", ["postgres"])
async def test_two_servers_one_database(pub: Pub, tmp_path: Path, servers: list[ServerProcess]) -> None:
    require_service("Redis", REDIS_URL, 6379)
    core, pid = pub.core, pub.project_id
    env = {
        "COMSTACK_DATA_DIR": str(core.settings.data_dir),
        "COMSTACK_DATABASE_URL": core.settings.resolved_database_url(),
        "COMSTACK_REDIS_URL": REDIS_URL,
        "COMSTACK_TRUSTED_PROXIES": '["127.0.0.1"]',
        "COMSTACK_RATE_LIMIT_MCP": "60",
        "COMSTACK_PUBLISH_STALE_SECONDS": "2",
        "COMSTACK_PUBLISH_HEARTBEAT_SECONDS": "0.5",
        # The job must render the pages itself (not start from the dry run's checked build) for the kill
        # to land in the middle of rendering them.
        "COMSTACK_PUBLISH_CHECK_PLAN": "false",
    }
    a, b = ServerProcess(env), ServerProcess(env)
    # One public URL for both, as behind a proxy; a's own address stands in for the proxy's here, so that
    # the OAuth pages' absolute redirects lead somewhere.
    env["COMSTACK_PUBLIC_URL"] = a.base_url
    servers.extend([a.launch(tmp_path / "a.log"), b.launch(tmp_path / "b.log")])  # boot while we seed
    pages = [(f"docs/p{i}", f"Document number {i}", heavy_markdown(i, PAGES, SECTIONS)) for i in range(PAGES)]
    await add_ready_pages(core, pub.world.editor, pid, pub.name, pages)
    ada = Person("ada@example.com", await make_user(core, "ada@example.com", password=PASSWORD), PASSWORD)
    await asyncio.gather(asyncio.to_thread(a.wait_ready), asyncio.to_thread(b.wait_ready))

    client_ip = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
    proxied = {"x-forwarded-for": client_ip}

    def http(server: ServerProcess, **headers: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=server.base_url, headers={**proxied, **headers}, timeout=20)

    clients = [http(a, **pub.headers), http(b, **pub.headers)]
    try:
        # -- a publish token is usable once, whichever server sees it; the job runs once ---------------
        first, _ = await confirm_on_both(clients, pub)

        async def done() -> dict[str, Any] | None:
            status = (await clients[1].get(pub.url(f"/publish/{first}"))).json()
            return status if status["status"] != "running" else None

        finished = await until(done, limit_s=120, every=0.1, what="the first publish")
        assert finished["status"] == "succeeded", finished

        # -- both serve the same site bytes (one shared data directory) ----------------------------------
        for path in (PAGE, "/sites/acme-docs/sitemap.xml", "/sites/acme-docs/llms.txt"):
            bodies = [await c.get(path) for c in clients]
            assert [r.status_code for r in bodies] == [200, 200], path
            assert bodies[0].content == bodies[1].content, path
        old_page = (await clients[0].get(PAGE)).content

        # -- the MCP rate limit is counted once across both (60 a minute in total) ------------------------
        ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
        mcp_headers = {"accept": "application/json, text/event-stream", "mcp-protocol-version": "2025-11-25"}
        statuses = []
        for n in range(70):
            answer = await clients[n % 2].post("/mcp", json=ping, headers=mcp_headers)
            statuses.append(answer.status_code)
        assert 429 not in statuses[:60], statuses
        assert statuses[60:] == [429] * 10, statuses

        # -- an OAuth code is exchanged once, whichever server gets it ------------------------------------
        async with http(a) as browser_a, http(b) as browser_b:
            client_id, code, pkce = await FormClient(browser_a, base=a.base_url).code(ada)
            exchanges = await asyncio.gather(
                FormClient(browser_a, base=a.base_url).exchange(client_id, code, pkce),
                FormClient(browser_b, base=b.base_url).exchange(client_id, code, pkce),
            )
        assert sorted(e.status_code for e in exchanges) == [200, 400], [e.text for e in exchanges]
        assert next(e for e in exchanges if e.status_code == 400).json()["error"] == "invalid_grant"

        # -- a key revoked on one server is refused on the other within the key cache's lifetime --------
        made = await clients[0].post(pub.url("/keys"), json={"name": "short-lived", "role": "viewer"})
        assert made.status_code == 201, made.text
        key = made.json()
        viewer = {"x-api-key": key["key"], "x-project-id": pid}
        async with http(a, **viewer) as on_a, http(b, **viewer) as on_b:
            assert (await on_b.get(pub.url())).status_code == 200  # now cached on b
            revoked = await clients[0].delete(pub.url(f"/keys/{key['id']}"))
            assert revoked.status_code == 204, revoked.text
            revoked_at = time.monotonic()
            assert (await on_a.get(pub.url())).status_code == 401  # the revoking server forgets it at once

            async def refused_on_b() -> bool:
                return (await on_b.get(pub.url())).status_code == 401

            await until(refused_on_b, limit_s=KEY_CACHE_SECONDS + 2, every=0.1, what="b to refuse the key")
        assert time.monotonic() - revoked_at <= KEY_CACHE_SECONDS + 2

        # -- exactly one runner per job: b is paused while a confirms, so a's runner takes the job; once b
        # runs again it must leave the job alone until a is SIGKILLed mid-build, then take it over ---------
        await core.navigation.update_theme(
            pub.world.manager, pid, ThemeUpdate(project_name=pub.name, colors=ThemeColors(primary="#aa3300"))
        )
        assert b.proc is not None and a.proc is not None and b.log is not None
        b_log = b.log
        os.killpg(b.proc.pid, signal.SIGSTOP)
        try:
            dry = await clients[0].post(pub.url("/publish"), json={"project_name": pub.name})
            assert dry.status_code == 200, dry.text
            started = await clients[0].post(
                pub.url("/publish/confirm"),
                json={"project_name": pub.name, "confirmation_token": dry.json()["confirmation_token"]},
            )
            assert started.status_code == 202, started.text
            second = started.json()["publish_id"]
            owner = await until(lambda: _owner(pub, second), limit_s=30, what="a to claim the job")
        finally:
            os.killpg(b.proc.pid, signal.SIGCONT)
        sites = core.settings.sites_dir
        target = deploy.slot_path(sites, pid, deploy.next_slot(sites, pid))

        async def mid_build() -> bool:
            step = (await clients[0].get(pub.url(f"/publish/{second}"))).json()["progress"].get("step")
            return step == "building" and sum(1 for _ in target.rglob("index.html")) >= 3

        await until(mid_build, every=0.02, what="the build to be under way")
        assert (await claimed_by(pub, second))[0] == owner  # b, running all along, left it to a
        assert "taking the job over" not in b_log.read_text()
        a.kill()

        seen: list[bytes] = []

        async def finished_on_b() -> dict[str, Any] | None:
            page = await clients[1].get(PAGE)
            assert page.status_code == 200
            seen.append(page.content)
            status = (await clients[1].get(pub.url(f"/publish/{second}"))).json()
            return status if status["status"] != "running" else None

        final = await until(finished_on_b, limit_s=120, every=0.1, what="b to finish the job")
        new_owner, _ = await claimed_by(pub, second)
        assert new_owner not in (None, owner)
        assert " ".join(b.log.read_text().split()).count("taking the job over") == 1
        assert final["status"] == "succeeded", final
        new_page = (await clients[1].get(PAGE)).content
        assert new_page != old_page
        assert set(seen) <= {old_page, new_page}, "a reader saw a half-deployed site"
    finally:
        for client in clients:
            await client.aclose()


async def _owner(pub: Pub, publish_id: str) -> str | None:
    owner, _ = await claimed_by(pub, publish_id)
    return owner
