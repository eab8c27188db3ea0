"""Real servers and real clients for the MCP tests: uvicorn on loopback, the SDK's own client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from dataclasses import dataclass

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.types import ASGIApp

from comstack_core import Core, Principal, Settings
from comstack_core.auth import Door, TokenVerifier
from comstack_core.errors import Unauthenticated
from comstack_http.app import create_app
from comstack_http.auth import AuthMiddleware
from comstack_http.mcp_endpoint import McpEndpoint
from comstack_http.runtime import Runtime

from ..lifespan import serve as serve_url


class FixedTokens:
    """A ``TokenVerifier`` (our Protocol) over a fixed table: bearer string -> Principal.

    Stands in for the OAuth server, which is another component; the MCP door only sees Principals.
    """

    def __init__(self, tokens: Mapping[str, Principal]) -> None:
        self.tokens = dict(tokens)

    async def verify(self, token: str, *, door: Door) -> Principal:
        principal = self.tokens.get(token)
        if principal is None:
            raise Unauthenticated("Unknown bearer token.", code="invalid_token")
        return principal.via(door)


def minimal_app(
    settings: Settings, token_verifier: TokenVerifier | None, *, mount_only: bool = False
) -> Starlette:
    """The /mcp part of ``create_app``: the shared AuthMiddleware in front of the MCP endpoint."""
    from starlette.routing import Mount

    runtime = Runtime(settings=settings, token_verifier=token_verifier)
    endpoint = McpEndpoint(runtime)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with Core.open(settings) as core:
            runtime.attach(core)
            async with endpoint.lifespan():
                yield

    routes = [Mount("/mcp", app=endpoint.app)] if mount_only else endpoint.routes
    return Starlette(
        routes=routes, middleware=[Middleware(AuthMiddleware, runtime=runtime)], lifespan=lifespan
    )


def build_app(settings: Settings, token_verifier: TokenVerifier | None) -> ASGIApp:
    """The whole app, as ``comstack serve`` builds it, with a fixed bearer-token table."""
    return create_app(settings, token_verifier=token_verifier)


@dataclass
class LiveServer:
    base_url: str

    @property
    def mcp_url(self) -> str:
        return self.base_url + "/mcp"


@contextmanager
def serve(app: ASGIApp) -> Iterator[LiveServer]:
    """Run ``app`` with uvicorn on a free loopback port, lifespan included."""
    with serve_url(app) as url:
        yield LiveServer(url)


def mcp_client(
    url: str, headers: Mapping[str, str], *, mode: str = "auto"
) -> AbstractAsyncContextManager[Client]:
    """The SDK's client over streamable HTTP, sending ``headers`` (credentials) on every request."""

    @asynccontextmanager
    async def connect() -> AsyncIterator[Client]:
        async with (
            httpx2.AsyncClient(headers=dict(headers), timeout=httpx2.Timeout(30.0)) as http,
            Client(streamable_http_client(url, http_client=http), mode=mode) as client,
        ):
            yield client

    return connect()


def key_headers(key: str, project_id: str) -> dict[str, str]:
    return {"x-api-key": key, "x-project-id": project_id}


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}
