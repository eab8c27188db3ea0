"""Shared fixtures: a real database per test (SQLite file or PostgreSQL database), a controllable clock.

PostgreSQL and Redis are required under CI (``CI=true``); on a developer machine without them the tests
that need them are skipped with a reason.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from comstack_core import Core, Principal, Settings
from comstack_core.db import Database
from comstack_core.schemas import ProjectCreate, UserCreate

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "test-artifacts"  # screenshots and other evidence the browser tests leave for people
PG_URL = os.environ.get("COMSTACK_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("COMSTACK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url.replace("+asyncpg", ""))
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=1):
            return True
    except OSError:
        return False


def require_service(name: str, url: str, port: int) -> None:
    if not reachable(url, port):
        if IN_CI:
            pytest.fail(f"{name} is not reachable at {url}; .ci/run should have started it")
        pytest.skip(f"{name} not reachable at {url}")


@dataclass
class FakeClock:
    """Time that tests move on purpose (trial expiry, token TTLs) instead of sleeping."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def run_blocking(coro: Any) -> Any:
    """Run a coroutine to completion from sync code, even when called while an event loop is running."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per worker; each test copies it instead of migrating again."""
    path = tmp_path_factory.mktemp("template") / "template.db"

    async def build() -> None:
        db = Database(f"sqlite+aiosqlite:///{path}")
        await db.migrate()
        await db.dispose()

    run_blocking(build())
    return path


def _pg_admin_url(database: str) -> str:
    parsed = urlparse(PG_URL.replace("+asyncpg", ""))
    return parsed._replace(path=f"/{database}").geturl()


async def _pg_exec(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_pg_admin_url(urlparse(PG_URL).path.lstrip("/") or "postgres"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    require_service("PostgreSQL", PG_URL, 5432)
    name = f"cs_tpl_{_worker()}_{uuid.uuid4().hex[:8]}"

    async def build() -> None:
        await _pg_exec(f"CREATE DATABASE {name}")
        db = Database(PG_URL.rsplit("/", 1)[0] + f"/{name}")
        await db.migrate()
        await db.dispose()

    run_blocking(build())
    yield name
    run_blocking(_pg_exec(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if backend == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        target = tmp_path / "comstack.db"
        shutil.copy(template, target)
        yield f"sqlite+aiosqlite:///{target}"
        return
    template = request.getfixturevalue("pg_template")
    name = f"cs_t_{uuid.uuid4().hex[:12]}"
    await _pg_exec(f"CREATE DATABASE {name} TEMPLATE {template}")
    try:
        yield PG_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        await _pg_exec(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, public_url="http://testserver")


@pytest.fixture
async def core(settings: Settings, clock: FakeClock) -> AsyncIterator[Core]:
    async with Core.open(settings, clock=clock) as opened:
        yield opened


ADMIN = Principal.system(door="script")


async def make_user(core: Core, email: str, *, admin: bool = False, password: str | None = None) -> Principal:
    user = await core.users.create_user(ADMIN, UserCreate(email=email, is_platform_admin=admin, password=password))
    return await core.users.principal_for_user(user.id, door="script")


@dataclass
class World:
    """A project with one user per role, a platform admin and an outsider."""

    core: Core
    project_id: str
    project_name: str
    manager: Principal
    editor: Principal
    viewer: Principal
    outsider: Principal
    admin: Principal
    other_project_id: str


@pytest.fixture
async def world(core: Core) -> World:
    from comstack_core.schemas import MemberAdd

    manager = await make_user(core, "manager@example.com")
    editor = await make_user(core, "editor@example.com")
    viewer = await make_user(core, "viewer@example.com")
    outsider = await make_user(core, "outsider@example.com")
    admin = await make_user(core, "root@example.com", admin=True)
    project = await core.projects.create_project(manager, ProjectCreate(name="Acme Docs"))
    await core.members.add_member(manager, project.id, MemberAdd(email="editor@example.com", role="editor"))
    await core.members.add_member(manager, project.id, MemberAdd(email="viewer@example.com", role="viewer"))
    other = await core.projects.create_project(outsider, ProjectCreate(name="Other Co"))
    return World(core, project.id, project.name, manager, editor, viewer, outsider, admin, other.id)
