"""Decide the client IP once per connection: the socket peer, or X-Forwarded-For behind trusted proxies."""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Iterable
from functools import lru_cache

from starlette.types import ASGIApp, Receive, Scope, Send

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=4096)  # the same few peers and proxies make every request: parse each once
def parse_ip(text: str) -> IPAddress | None:
    """A canonical address, or None when ``text`` is not one.

    IPv4-mapped IPv6 (``::ffff:10.0.0.1``, what dual-stack sockets report) becomes plain IPv4 so a
    client has one key and an IPv4 proxy range matches it.
    """
    try:
        ip = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


@lru_cache(maxsize=4096)
def canonical_ip(text: str) -> str:
    """``str(parse_ip(text))``, or ``text`` itself when it is no address (writing an address out is not free)."""
    ip = parse_ip(text)
    return text if ip is None else str(ip)


class ClientIPMiddleware:
    """Sets ``scope["state"]["client_ip"]``.

    X-Forwarded-For is only believed when the socket peer is a trusted proxy, because anyone can send
    the header. It is read from the right: each trusted proxy appended the address it saw, so the first
    untrusted entry from the right is the last hop nobody we trust vouches for — the client. Entries
    further left were written by that client and may be forged.
    """

    def __init__(self, app: ASGIApp, *, trusted_proxies: Iterable[str]) -> None:
        self.app = app
        # A bad entry is an operator error: fail at startup, not per request.
        self.trusted: tuple[IPNetwork, ...] = tuple(
            ipaddress.ip_network(entry.strip(), strict=False) for entry in trusted_proxies if entry.strip()
        )

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # Not a coroutine: it hands back the next layer's, so the layer adds no frame to every await below.
        if scope["type"] in ("http", "websocket"):
            state = scope.setdefault("state", {})
            state["client_ip"] = self.resolve(scope)
        return self.app(scope, receive, send)

    def is_trusted(self, ip: IPAddress) -> bool:
        return any(ip.version == net.version and ip in net for net in self.trusted)

    def resolve(self, scope: Scope) -> str:
        client = scope.get("client")
        peer_text = str(client[0]) if client else "unknown"
        if not self.trusted:
            return canonical_ip(peer_text)
        peer = parse_ip(peer_text)
        if peer is None:
            return peer_text
        if not self.is_trusted(peer):
            return str(peer)
        hops = forwarded_for(scope)
        for hop in reversed(hops):
            ip = parse_ip(hop)
            if ip is None:
                # A hop we cannot read breaks the chain of trust; the peer is the best we know.
                return str(peer)
            if not self.is_trusted(ip):
                return str(ip)
        # Every hop is one of our proxies (e.g. a health check from inside): the leftmost is the origin.
        first = parse_ip(hops[0]) if hops else None
        return str(first or peer)


def forwarded_for(scope: Scope) -> list[str]:
    """All X-Forwarded-For entries, left to right; several header lines count as one list (RFC 9110)."""
    hops: list[str] = []
    for name, value in scope.get("headers", []):
        if name.lower() == b"x-forwarded-for":
            hops.extend(part.strip() for part in value.decode("latin-1").split(","))
    return hops
