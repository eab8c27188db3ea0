"""``/mcp``'s transport check remembers the header values the SDK let through. What it remembers must never
let other values through: every header the SDK reads is part of what is remembered, read the way the SDK
reads it (the first header of a name), and a refusal is asked of the SDK again each time."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from comstack_http.mcp_endpoint import transport_security
from comstack_http.mcp_requests import TransportCheck

GOOD = [(b"host", b"cms.example"), (b"content-type", b"application/json"), (b"origin", b"https://cms.example")]


def request(headers: list[tuple[bytes, bytes]]) -> Request:
    return Request({"type": "http", "method": "POST", "path": "/mcp", "headers": headers})


def replaced(name: bytes, value: bytes) -> list[tuple[bytes, bytes]]:
    return [(key, value if key == name else old) for key, old in GOOD]


async def status(check: TransportCheck, headers: list[tuple[bytes, bytes]]) -> int | None:
    refusal = await check.refusal(request(headers))
    return None if refusal is None else refusal[0]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (replaced(b"host", b"evil.example"), 421),
        (replaced(b"origin", b"https://evil.example"), 403),
        (replaced(b"content-type", b"text/plain"), 400),
        ([(key, value) for key, value in GOOD if key != b"host"], 421),
        ([(key, value) for key, value in GOOD if key != b"content-type"], 400),
        ([(b"host", b"evil.example"), *GOOD], 421),  # the first Host is the one that counts
        ([*GOOD, (b"host", b"evil.example")], None),
        ([(b"Host", b"evil.example"), *replaced(b"host", b"cms.example")], None),  # as the SDK reads names
    ],
)
async def test_what_passed_once_lets_nothing_else_through(
    headers: list[tuple[bytes, bytes]], expected: int | None
) -> None:
    check = TransportCheck(transport_security("https://cms.example"))
    assert await status(check, GOOD) is None
    assert await status(check, GOOD) is None  # from what was remembered
    assert await status(check, headers) == expected
    assert await status(check, headers) == expected
    fresh = TransportCheck(transport_security("https://cms.example"))
    assert await status(fresh, headers) == expected  # the same answer as a check that remembers nothing


async def test_what_is_remembered_is_bounded() -> None:
    check = TransportCheck(transport_security("https://cms.example"), max_remembered=2)
    for port in range(5):
        assert await status(check, replaced(b"host", f"localhost:{port}".encode())) is None
        assert len(check._passed) <= 2
