"""Publishing fixtures: a project with a manager API key, the real app over ASGI and over loopback HTTP.

The tests run on SQLite; the ones that matter most on both databases parametrize ``backend`` themselves.
The end-to-end publishing tests (``tests/e2e/publishing``) use these fixtures too.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from comstack_core import Core, Settings
from comstack_core.schemas import KeyCreate
from comstack_http.app import create_app

from ...conftest import FakeClock, World
from ...lifespan import running


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    # Loopback servers in these tests poll a lot from one IP: limits far above what they use.
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        public_url="http://testserver",
        rate_limit_mcp=100_000,
        rate_limit_auth_failures=100_000,
    )


@dataclass
class Pub:
    """The world's project as a publishing client sees it: ids, name and a manager key."""

    world: World
    key: str
    clock: FakeClock

    @property
    def core(self) -> Core:
        return self.world.core

    @property
    def project_id(self) -> str:
        return self.world.project_id

    @property
    def name(self) -> str:
        return self.world.project_name

    @property
    def headers(self) -> dict[str, str]:
        return {"x-api-key": self.key, "x-project-id": self.project_id}

    def url(self, suffix: str = "") -> str:
        return f"/api/projects/{self.project_id}{suffix}"


@pytest.fixture
async def pub(world: World, clock: FakeClock) -> Pub:
    created = await world.core.keys.create_key(
        world.manager, world.project_id, KeyCreate(name="publisher", role="manager")
    )
    return Pub(world, created.key, clock)


@pytest.fixture
async def client(core: Core) -> AsyncIterator[httpx.AsyncClient]:
    """httpx against the production app (REST, MCP, sites), sharing the test's Core and FakeClock."""
    async with running(create_app(core.settings, core=core)) as app:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=60) as http:
            yield http


async def wait_published(
    client: httpx.AsyncClient,
    project_id: str,
    headers: dict[str, str],
    publish_id: str,
    *,
    limit_s: float = 60,
) -> dict[str, Any]:
    """Poll publish-status over REST until the job leaves 'running' (the app's own runner does the work)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit_s
    while True:
        status = await client.get(f"/api/projects/{project_id}/publish/{publish_id}", headers=headers)
        assert status.status_code == 200, status.text
        body: dict[str, Any] = status.json()
        if body["status"] != "running":
            return body
        assert loop.time() < deadline, f"publish still running: {body}"
        await asyncio.sleep(0.05)
