"""HTTP fixtures: the real app over ASGI, with the world's people signed in by fixed bearer tokens.

``TokenPrincipals`` is a TokenVerifier (our own Protocol, which the OAuth server implements in
production) that maps fixed strings to the world's principals. API keys are real keys made by the core.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from comstack_core import Core, Principal
from comstack_core.auth import Door
from comstack_core.errors import Unauthenticated
from comstack_core.schemas import KeyCreate
from comstack_http.app import create_app

from ..conftest import World
from ..lifespan import running

WHO = ("manager", "editor", "viewer", "outsider", "admin")


@dataclass
class TokenPrincipals:
    principals: dict[str, Principal] = field(default_factory=dict)

    async def verify(self, token: str, *, door: Door) -> Principal:
        principal = self.principals.get(token)
        if principal is None:
            raise Unauthenticated("Unknown bearer token.", code="invalid_token")
        return principal.via(door)


def build_app(core: Core, verifier: TokenPrincipals | None = None) -> Starlette:
    """The production app, sharing the test's Core."""
    return create_app(core.settings, core=core, token_verifier=verifier)


def bearer(who: str) -> dict[str, str]:
    return {"authorization": f"Bearer {who}-token"}


def key_headers(raw: str, project_id: str) -> dict[str, str]:
    return {"x-api-key": raw, "x-project-id": project_id}


@dataclass
class Rest:
    """A client bound to the world: ``await rest.call("POST", rest.p("/docs"), "editor", json=...)``."""

    client: httpx.AsyncClient
    world: World

    @property
    def core(self) -> Core:
        return self.world.core

    def p(self, suffix: str = "", project_id: str | None = None) -> str:
        return f"/api/projects/{project_id or self.world.project_id}{suffix}"

    async def call(
        self, method: str, url: str, who: str | dict[str, str] = "manager", **kwargs: Any
    ) -> httpx.Response:
        headers = bearer(who) if isinstance(who, str) else who
        return await self.client.request(
            method, url, headers={**headers, **kwargs.pop("headers", {})}, **kwargs
        )

    async def key(self, role: str = "manager", project_id: str | None = None) -> dict[str, str]:
        """Headers for a fresh API key of the world's project (or the other one)."""
        pid = project_id or self.world.project_id
        owner = self.world.manager if pid == self.world.project_id else self.world.outsider
        created = await self.core.keys.create_key(owner, pid, KeyCreate(name=f"{role} key", role=role))
        return key_headers(created.key, pid)


@pytest.fixture
def tokens(world: World) -> TokenPrincipals:
    return TokenPrincipals({f"{who}-token": getattr(world, who) for who in WHO})


@pytest.fixture
async def app(core: Core, tokens: TokenPrincipals) -> AsyncIterator[Starlette]:
    async with running(build_app(core, tokens)) as application:
        yield application


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
def rest(client: httpx.AsyncClient, world: World) -> Rest:
    return Rest(client, world)
