"""Layers with nothing to do for a request hand back the next layer's awaitable instead of awaiting it, so
they add no frame under every await of the request (``POST /mcp`` goes through all of them). What they
hand back must be exactly the next layer's, after their own work, and only when they have nothing to do."""

from __future__ import annotations

from collections.abc import Awaitable
from pathlib import Path
from typing import Any

from starlette.types import Receive, Scope, Send

from comstack_core import Settings
from comstack_http.hosting import CustomDomains
from comstack_http.mcp_endpoint import McpEndpoint
from comstack_http.middleware.clientip import ClientIPMiddleware
from comstack_http.middleware.cors import IngestCorsMiddleware
from comstack_http.reader_endpoint import ReaderEndpoint
from comstack_http.runtime import Runtime


class Next:
    """The next layer: records the scope it got and returns a marker awaitable."""

    def __init__(self) -> None:
        self.scopes: list[Scope] = []
        self.marker = _Marker()

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        self.scopes.append(scope)
        return self.marker


class _Marker:
    def __await__(self) -> Any:
        return iter(())


async def receive() -> Any:
    return {"type": "http.request", "body": b""}


async def send(message: Any) -> None:
    pass


def http(path: str, method: str = "POST", host: bytes = b"cms.example") -> Scope:
    return {"type": "http", "method": method, "path": path, "root_path": "", "headers": [(b"host", host)],
            "client": ("10.0.0.7", 5000), "state": {}}


def runtime(tmp_path: Path) -> Runtime:
    return Runtime(Settings(data_dir=tmp_path, public_url="https://cms.example"))


async def test_the_client_address_is_set_before_the_next_layer_is_handed_back() -> None:
    inner = Next()
    scope = http("/mcp")
    assert ClientIPMiddleware(inner, trusted_proxies=[])(scope, receive, send) is inner.marker
    assert inner.scopes == [scope] and scope["state"]["client_ip"] == "10.0.0.7"


async def test_ingest_cors_hands_back_the_next_layer_except_on_ingest_routes() -> None:
    inner = Next()
    cors = IngestCorsMiddleware(inner)
    assert cors(http("/mcp"), receive, send) is inner.marker
    assert cors(http("/api/projects/prj_1/pages"), receive, send) is inner.marker
    handled = cors(http("/api/projects/prj_1/ingest/captures", method="OPTIONS"), receive, send)
    assert handled is not inner.marker  # Starlette's CORS middleware answers it
    assert len(inner.scopes) == 2
    if hasattr(handled, "close"):
        handled.close()


async def test_custom_domains_hand_back_the_next_layer_for_this_servers_own_host(tmp_path: Path) -> None:
    inner, run = Next(), runtime(tmp_path)
    domains = CustomDomains(inner, runtime=run, reader=ReaderEndpoint(run))
    for scope in (http("/mcp"), http("/mcp", host=b"127.0.0.1:8000"), http("/docs/", method="GET"),
                  http("/api/projects", method="POST", host=b"docs.example.org")):
        assert domains(scope, receive, send) is inner.marker
    # A foreign host on a site path or the site's /mcp may be a custom domain: that is looked up first.
    for scope in (http("/docs/", method="GET", host=b"docs.example.org"), http("/mcp", host=b"docs.example.org")):
        looked_up = domains(scope, receive, send)
        assert looked_up is not inner.marker
        looked_up.close()  # type: ignore[attr-defined]
    assert len(inner.scopes) == 4


async def test_the_mcp_route_hands_back_the_endpoints_coroutine(tmp_path: Path) -> None:
    endpoint = McpEndpoint(runtime(tmp_path))
    handled = endpoint.app(http("/mcp", method="GET"), receive, send)
    assert handled.cr_code is McpEndpoint.handle.__code__  # type: ignore[attr-defined]
    await handled
