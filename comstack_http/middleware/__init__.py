"""Plain ASGI middleware shared by REST, /mcp, OAuth and the sites (SPEC §15).

Order in ``create_app``: IngestCors -> ClientIP -> RateLimit -> BodyLimit -> Auth. The client IP is decided once,
so every later layer keys on the same address.

This module holds only the helpers the middleware modules share; it imports none of them, so they
can import it without a cycle.
"""

from __future__ import annotations

from starlette.types import Scope


def route_path(scope: Scope) -> str:
    """The path the app routes on, without a ``root_path`` the server may have prefixed to it."""
    path: str = scope.get("path", "")
    root: str = scope.get("root_path", "")
    if root and path.startswith(root) and path[len(root):len(root) + 1] in ("", "/"):
        path = path[len(root):] or "/"
    return path


def client_ip(scope: Scope) -> str:
    """The address ClientIPMiddleware chose; the socket peer when it did not run (tests, embedding)."""
    state = scope.get("state") or {}
    chosen = state.get("client_ip")
    if chosen:
        return str(chosen)
    peer = scope.get("client")
    return str(peer[0]) if peer else "unknown"


LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "testserver")


def request_host(scope: Scope) -> str:
    """The Host header's name, lower case, without port or IPv6 brackets ('' when absent)."""
    for key, value in scope.get("headers", []):
        if key == b"host":
            return value.decode("latin-1").rsplit(":", 1)[0].strip("[]").lower() if value else ""
    return ""


def is_foreign(host: str, own_host: str) -> bool:
    """A Host that may be a custom domain: not this server's own name, nor loopback."""
    return bool(host) and host != own_host and host not in LOOPBACK_NAMES
