"""The failed-authentication limit on the real app: bad credentials are throttled, nothing else is."""

from __future__ import annotations

import asyncio

from .conftest import Rest

BAD = {"x-api-key": "cs_" + "x" * 40}


async def test_an_ip_that_failed_keeps_valid_keys_sites_authorize_and_health(rest: Rest) -> None:
    for _ in range(10):
        assert (await rest.call("GET", rest.p(), BAD)).status_code == 401
    refused = await rest.call("GET", rest.p(), BAD)
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    assert int(refused.headers["retry-after"]) >= 1
    key = await rest.key("viewer")
    assert (await rest.call("GET", rest.p(), key)).status_code == 200
    assert (await rest.client.get("/healthz")).status_code == 200
    assert (await rest.client.get("/sites/nothing-here/")).status_code == 404
    assert (await rest.client.get("/oauth/authorize?client_id=x")).status_code == 400
    unauthenticated = await rest.client.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "ping"})
    assert unauthenticated.status_code == 401  # "sign in first" is no failed attempt


async def test_concurrent_bad_keys_meet_the_limit(rest: Rest) -> None:
    answers = await asyncio.gather(*(rest.call("GET", rest.p(), BAD) for _ in range(100)))
    statuses = [answer.status_code for answer in answers]
    assert statuses.count(401) == 10 and statuses.count(429) == 90
