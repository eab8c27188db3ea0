"""The MCP door served over HTTP: stateless streamable HTTP with JSON responses, mounted at ``/mcp``.

The MCP server itself is ``comstack_mcp.build_server``; this module is its HTTP assembly. ``create_app``
creates the endpoint before the Core exists (the Core opens in the app's lifespan), so the server is
built in :meth:`McpEndpoint.lifespan`, from ``runtime.core``. Authentication happened before this app
runs (``AuthMiddleware``); a request without a principal is answered 401 here with the
``WWW-Authenticate`` header that points MCP clients at OAuth discovery.

The server is stateless and answers JSON, so ``POST`` is its only method: there is no SSE stream to
``GET`` and no session to ``DELETE``, and both are answered 405 with ``Allow: POST`` (as the MCP
transport specification provides), never with a stream left open. Requests the SDK would refuse in
plain text are refused first, in JSON (``mcp_requests``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

from mcp.server.context import ServerRequestContext
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.requests import Request
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import Receive, Scope, Send

from comstack_core import Principal
from comstack_mcp import ComstackServer, build_server

from .auth import send_json, unauthenticated_headers
from .mcp_requests import TransportCheck, forward
from .runtime import Runtime

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def http_principal(ctx: ServerRequestContext[Any, Any]) -> Principal | None:
    """The principal ``AuthMiddleware`` resolved for this HTTP request, via the MCP door."""
    # Read from the ASGI scope's state, as Request.state would, without building a State object per call.
    scope = getattr(ctx.request, "scope", None)
    state = scope.get("state") if isinstance(scope, dict) else None
    principal = state.get("principal") if isinstance(state, dict) else None
    return principal.via("mcp") if isinstance(principal, Principal) else None


def transport_security(public_url: str) -> TransportSecuritySettings:
    """DNS-rebinding protection: only the configured public host and loopback may be named in Host/Origin."""
    parts = urlsplit(public_url)
    hosts = [*LOOPBACK_HOSTS]
    if parts.hostname and parts.hostname not in hosts:
        hosts.append(f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname)
    allowed_hosts = [pattern for host in hosts for pattern in (host, f"{host}:*")]
    allowed_origins = [f"{scheme}://{pattern}" for scheme in ("http", "https") for pattern in allowed_hosts]
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True, allowed_hosts=allowed_hosts, allowed_origins=allowed_origins
    )


class McpEndpoint:
    """``app`` is the ASGI app for ``/mcp``; ``lifespan()`` must be entered after the Core is attached."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.server: ComstackServer | None = None
        self._manager: StreamableHTTPSessionManager | None = None
        self.security = transport_security(runtime.settings.public_url)
        self.transport_check = TransportCheck(self.security)
        # An ASGI object, not a bound method: Starlette would treat a method as a request handler.
        self.app = _McpApp(self)

    @property
    def routes(self) -> list[BaseRoute]:
        """Routes serving both ``/mcp`` and ``/mcp/``.

        A bare ``Mount("/mcp", ...)`` only matches ``/mcp/...``; Starlette answers ``POST /mcp`` with a
        307 to ``/mcp/`` (the SDK client follows it, other clients and TLS-terminating proxies may not).
        """
        # Every method reaches the endpoint, which answers the ones it does not serve itself.
        return [Route("/mcp", endpoint=self.app), Mount("/mcp", app=self.app)]

    @asynccontextmanager
    async def lifespan(self) -> AsyncIterator[None]:
        settings = self.runtime.settings
        server = build_server(self.runtime.core, principal_for=http_principal)
        # The SDK creates its session manager with its Starlette app; we route to the manager ourselves,
        # so any sub-path under the mount (and the mount root itself) reaches MCP.
        server.streamable_http_app(
            streamable_http_path="/",
            stateless_http=True,
            json_response=True,
            transport_security=self.security,
            max_request_body_size=settings.max_large_body_bytes,
        )
        manager = server.session_manager
        async with manager.run():
            self.server, self._manager = server, manager
            try:
                yield
            finally:
                self.server, self._manager = None, None

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        if scope["method"] != "POST":
            await send_json(send, 405, {
                "error": f"{scope['method']} is not allowed on /mcp: this MCP server is stateless and answers "
                         "in JSON, with no event stream to open or session to end. POST each JSON-RPC message.",
                "code": "method_not_allowed"}, [(b"allow", b"POST")])
            return
        refusal = await self.transport_check.refusal(Request(scope))
        if refusal is not None:
            await send_json(send, *refusal)
            return
        if (scope.get("state") or {}).get("principal") is None:
            await send_json(
                send, 401,
                {"error": "Authentication required: send an OAuth bearer token, or x-api-key + x-project-id.",
                 "code": "unauthenticated"},
                unauthenticated_headers(self.runtime.settings.public_url),
            )
            return
        await forward(self._manager, scope, receive, send)


class _McpApp:
    def __init__(self, endpoint: McpEndpoint) -> None:
        self.endpoint = endpoint

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        return self.endpoint.handle(scope, receive, send)  # the endpoint's coroutine: no frame of its own
