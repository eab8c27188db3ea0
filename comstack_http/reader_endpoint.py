"""Every published site's public MCP server over HTTP: ``/sites/{slug}/mcp`` and ``https://{domain}/mcp``.

The same transport as ``/mcp`` (stateless streamable HTTP, JSON responses, ``POST`` only), without
credentials: the site is public, so its address is the whole of the request's authority. Each request
finds its site as it is served at that moment (``core.reader.open_site``) and hands it to the server.
Host and Origin are checked as the MCP transport requires (DNS-rebinding protection): under
``/sites/`` the server's own public host and loopback, as for ``/mcp``; on a custom domain that domain
(which ``CustomDomains`` found verified before routing here).

Also the discovery documents, under the site: ``/.well-known/mcp`` (and ``.json``) and
``/.well-known/mcp/server-card.json``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from mcp.server.context import ServerRequestContext
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.requests import Request
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from comstack_core.errors import DomainError
from comstack_core.reader import ReaderSite
from comstack_mcp.reader import build_reader_server, discovery_document, server_card

from .auth import send_json
from .mcp_endpoint import transport_security
from .mcp_requests import TransportCheck, forward
from .runtime import Runtime

# The discovery documents are public facts about the site: any page may read them.
CORS = [(b"access-control-allow-origin", b"*")]
WELL_KNOWN = {".well-known/mcp": "discovery", ".well-known/mcp.json": "discovery",
              ".well-known/mcp/server-card.json": "card"}
NO_SECURITY = TransportSecuritySettings(enable_dns_rebinding_protection=False)


def domain_security(host: str) -> TransportSecuritySettings:
    hosts = [host, f"{host}:*"]
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts,
                                     allowed_origins=[f"{scheme}://{h}" for scheme in ("https", "http") for h in hosts])


def request_site(ctx: ServerRequestContext[Any, Any]) -> ReaderSite | None:
    state = getattr(ctx.request, "state", None)
    site = getattr(state, "reader_site", None) if state is not None else None
    return site if isinstance(site, ReaderSite) else None


class ReaderEndpoint:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._manager: StreamableHTTPSessionManager | None = None
        # The SDK's own check is off (its settings are fixed, custom domains are not); ``refusal`` does it.
        self.slug_check = TransportCheck(transport_security(runtime.settings.public_url))

    @property
    def routes(self) -> list[Route]:
        by_slug = _BySlug(self)
        return [
            Route("/sites/{project_slug}/mcp", endpoint=by_slug),
            Route("/sites/{project_slug}/mcp/", endpoint=by_slug),
            *(Route(f"/sites/{{project_slug}}/{path}", endpoint=by_slug, methods=["GET", "HEAD"])
              for path in WELL_KNOWN),
        ]

    @asynccontextmanager
    async def lifespan(self) -> AsyncIterator[None]:
        server = build_reader_server(self.runtime.core, site_for=request_site)
        server.streamable_http_app(
            streamable_http_path="/", stateless_http=True, json_response=True, transport_security=NO_SECURITY,
            max_request_body_size=self.runtime.settings.max_body_bytes,
        )
        async with server.session_manager.run():
            self._manager = server.session_manager
            try:
                yield
            finally:
                self._manager = None

    async def open(self, send: Send, *, slug: str | None = None, host: str | None = None) -> ReaderSite | None:
        """The site, or None once its refusal has been sent."""
        try:
            return await self.runtime.core.reader.open_site(slug=slug, host=host)
        except DomainError as error:
            await send_json(send, 404, {"error": error.message, "code": error.code})
            return None

    async def handle(self, scope: Scope, receive: Receive, send: Send, *, slug: str | None = None,
                     host: str | None = None) -> None:
        # What follows the site's root: 'mcp', 'mcp/' or a discovery document's path.
        path = scope["path"].lstrip("/") if host is not None else scope["path"].split("/", 3)[-1]
        kind = WELL_KNOWN.get(path)
        if kind is not None:
            await self.discovery(scope, send, kind, slug=slug, host=host)
            return
        method = scope["method"]
        if method != "POST":
            await send_json(send, 405, {
                "error": f"{method} is not allowed here: this MCP server is stateless and answers in JSON. POST "
                         "each JSON-RPC message (connect with an MCP client using this URL).",
                "code": "method_not_allowed"}, [(b"allow", b"POST")])
            return
        check = self.slug_check if host is None else TransportCheck(domain_security(host))
        refusal = await check.refusal(Request(scope))
        if refusal is not None:
            await send_json(send, *refusal)
            return
        site = await self.open(send, slug=slug, host=host)
        if site is None:
            return
        scope.setdefault("state", {})["reader_site"] = site
        await forward(self._manager, scope, receive, send)

    async def discovery(self, scope: Scope, send: Send, kind: str, *, slug: str | None, host: str | None) -> None:
        site = await self.open(send, slug=slug, host=host)
        if site is None:
            return
        body = discovery_document(site) if kind == "discovery" else server_card(site)
        await send_json(send, 200, body, [*CORS, (b"cache-control", b"public, max-age=300")])


class _BySlug:
    def __init__(self, endpoint: ReaderEndpoint) -> None:
        self.endpoint = endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self.endpoint.handle(scope, receive, send, slug=scope["path_params"]["project_slug"])
