"""MCP fixtures: a seeded project (keys per role, OAuth-like principals) and a live HTTP server.

The MCP tests run on SQLite (one main-loop test also on PostgreSQL, by parametrizing ``backend``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest

from comstack_core import Principal, Settings
from comstack_core.auth import SCOPE_READ
from comstack_core.schemas import KeyCreate

from ..conftest import World
from .harness import FixedTokens, LiveServer, build_app, minimal_app, serve

READ_TOKEN = "read-only-token"
ADMIN_TOKEN = "platform-admin-token"
EDITOR_TOKEN = "editor-user-token"


@pytest.fixture
def backend() -> str:
    return "sqlite"


@dataclass
class Seed:
    world: World
    keys: dict[str, str]

    @property
    def project_id(self) -> str:
        return self.world.project_id


@pytest.fixture
async def seed(world: World) -> Seed:
    keys = {}
    for role in ("viewer", "editor", "manager"):
        created = await world.core.keys.create_key(world.manager, world.project_id, KeyCreate(name=role, role=role))
        keys[role] = created.key
    return Seed(world, keys)


@pytest.fixture
def tokens(seed: Seed) -> FixedTokens:
    world = seed.world
    return FixedTokens({
        READ_TOKEN: _with_scopes(world.manager, frozenset({SCOPE_READ})),
        ADMIN_TOKEN: world.admin,
        EDITOR_TOKEN: world.editor,
    })


def _with_scopes(principal: Principal, scopes: frozenset[str]) -> Principal:
    return replace(principal, scopes=scopes)


@pytest.fixture
def server_settings(settings: Settings) -> Settings:
    # Generous limits: the tests make many MCP requests from one IP within a minute.
    return settings.model_copy(update={"rate_limit_mcp": 100_000, "rate_limit_auth_failures": 100_000})


@pytest.fixture
def live(server_settings: Settings, tokens: FixedTokens) -> Iterator[LiveServer]:
    with serve(build_app(server_settings, tokens)) as server:
        yield server


@pytest.fixture
def bare(server_settings: Settings, tokens: FixedTokens) -> Iterator[LiveServer]:
    """Only AuthMiddleware + the MCP endpoint, wired with ``McpEndpoint.routes`` (``/mcp`` and ``/mcp/``)."""
    with serve(minimal_app(server_settings, tokens)) as server:
        yield server
