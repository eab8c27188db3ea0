"""ClientIPMiddleware: the socket peer, or X-Forwarded-For only when the peer is a trusted proxy."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.types import Message, Receive, Scope, Send

from comstack_http.middleware.clientip import ClientIPMiddleware


async def client_ip_of(peer: str | None, xff: list[str] | None = None, *, trusted: list[str],
                       scope_type: str = "http") -> Any:
    seen: dict[str, Any] = {}

    async def inner(scope: Scope, receive: Receive, send: Send) -> None:
        seen.update(scope["state"])

    headers = [(b"x-forwarded-for", value.encode()) for value in xff or []]
    scope: dict[str, Any] = {"type": scope_type, "path": "/", "headers": headers,
                             "client": (peer, 5000) if peer else None}

    async def receive() -> Message:
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        pass

    await ClientIPMiddleware(inner, trusted_proxies=trusted)(scope, receive, send)
    return seen.get("client_ip")


async def test_socket_peer_without_trusted_proxies_ignores_forwarded_for() -> None:
    assert await client_ip_of("192.0.2.10", ["203.0.113.7"], trusted=[]) == "192.0.2.10"


async def test_untrusted_peer_cannot_spoof_forwarded_for() -> None:
    assert await client_ip_of("192.0.2.10", ["203.0.113.7"], trusted=["10.0.0.0/8"]) == "192.0.2.10"


@pytest.mark.parametrize(
    ("xff", "expected"),
    [
        (["203.0.113.7"], "203.0.113.7"),
        # The client may prepend anything; the first untrusted hop from the right is who reached us.
        (["198.51.100.1, 203.0.113.7"], "203.0.113.7"),
        (["203.0.113.7, 10.0.0.9"], "203.0.113.7"),
        (["198.51.100.1", "203.0.113.7, 10.1.2.3"], "203.0.113.7"),  # several header lines form one list
        (["2001:db8::1"], "2001:db8::1"),
        (["10.0.0.2, 10.0.0.3"], "10.0.0.2"),  # only our own proxies: the origin is the leftmost
        ([], "10.0.0.5"),
        (["203.0.113.7, not-an-ip"], "10.0.0.5"),  # malformed hop: fall back to the peer
        (["203.0.113.7, "], "10.0.0.5"),
        (["203.0.113.7:443"], "10.0.0.5"),
    ],
)
async def test_trusted_proxy_forwarded_for_is_walked_from_the_right(xff: list[str], expected: str) -> None:
    assert await client_ip_of("10.0.0.5", xff, trusted=["10.0.0.0/8"]) == expected


async def test_single_trusted_address_and_ipv4_mapped_peer() -> None:
    assert await client_ip_of("::ffff:10.0.0.5", ["203.0.113.7"], trusted=["10.0.0.5"]) == "203.0.113.7"
    assert await client_ip_of("::ffff:192.0.2.1", [], trusted=[]) == "192.0.2.1"


async def test_ipv6_proxy_range() -> None:
    assert await client_ip_of("fd00::1", ["2001:db8::9, fd00::2"], trusted=["fd00::/8"]) == "2001:db8::9"


async def test_websocket_scope_and_missing_client() -> None:
    assert await client_ip_of("192.0.2.10", trusted=[], scope_type="websocket") == "192.0.2.10"
    assert await client_ip_of(None, ["203.0.113.7"], trusted=["10.0.0.0/8"]) == "unknown"


def test_bad_proxy_setting_fails_at_startup() -> None:
    async def inner(scope: Scope, receive: Receive, send: Send) -> None:
        pass

    with pytest.raises(ValueError):
        ClientIPMiddleware(inner, trusted_proxies=["10.0.0.0/33"])


@pytest.mark.parametrize("peer", ["127.0.0.1", "::1", "::ffff:10.0.0.1", "2001:DB8::1", " 10.0.0.2 ", "unknown", "x"])
def test_the_remembered_address_text_is_the_parsed_address(peer: str) -> None:
    from comstack_http.middleware.clientip import canonical_ip, parse_ip

    ip = parse_ip(peer)
    assert canonical_ip(peer) == (peer if ip is None else str(ip))
    assert ClientIPMiddleware(lambda *a: None, trusted_proxies=[]).resolve({"client": (peer, 1)}) == canonical_ip(peer)
