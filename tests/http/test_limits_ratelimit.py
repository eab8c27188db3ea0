"""Rate limits of SPEC §15 on a tiny Starlette app, against both backends (memory and Redis).

Time is moved by hand (``ManualTime``) instead of slept through; the Redis backend takes the same
clock, so both are checked against the same timeline.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import Message

from comstack_core import Settings
from comstack_http.middleware.clientip import ClientIPMiddleware
from comstack_http.middleware.ratelimit import (
    Decision,
    Limiter,
    MemoryLimiter,
    RateLimitMiddleware,
    RedisLimiter,
    build_limiter,
)

from ..conftest import REDIS_URL, require_service

GOOD_KEY = "good"


@dataclass
class ManualTime:
    now: float = 1_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


MakeLimiter = Callable[[ManualTime], Limiter]


@pytest.fixture(params=["memory", "redis"])
async def make_limiter(request: pytest.FixtureRequest) -> AsyncIterator[MakeLimiter]:
    made: list[Limiter] = []
    prefix = f"comstack:test:{uuid.uuid4().hex}:"
    if request.param == "redis":
        require_service("Redis", REDIS_URL, 6379)

    def make(time_fn: ManualTime) -> Limiter:
        limiter: Limiter
        if request.param == "memory":
            limiter = MemoryLimiter(prefix=prefix, time_fn=time_fn)
        else:
            limiter = RedisLimiter.from_url(REDIS_URL, prefix=prefix, time_fn=time_fn)
        made.append(limiter)
        return limiter

    yield make
    for limiter in made:
        await limiter.aclose()
    if request.param == "redis":
        await delete_keys(prefix)


async def delete_keys(prefix: str) -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_URL)
    try:
        keys = [key async for key in client.scan_iter(match=prefix + "*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


def limits(**overrides: Any) -> Settings:
    values: dict[str, Any] = {"rate_limit_mcp": 3, "rate_limit_oauth": 2, "rate_limit_auth_failures": 10}
    return Settings(**(values | overrides))


def build_app(limiter: Limiter, settings: Settings, *, trusted: list[str] | None = None) -> Starlette:
    async def ok(request: Request) -> JSONResponse:
        return JSONResponse({"ip": request.state.client_ip})

    async def private(request: Request) -> JSONResponse:
        if request.headers.get("x-api-key") != GOOD_KEY:
            return JSONResponse({"error": "Invalid API key.", "code": "invalid_api_key"}, status_code=401)
        return JSONResponse({"ip": request.state.client_ip})

    async def sign_in(request: Request) -> JSONResponse:
        if (await request.form()).get("password") != "right":
            return JSONResponse({"error": "Wrong password.", "code": "unauthenticated"}, status_code=401)
        return JSONResponse({"signed_in": True})

    return Starlette(
        routes=[
            Route("/mcp", ok, methods=["GET", "POST"]),
            Route("/mcp/", ok, methods=["POST"]),
            Route("/oauth/token", ok, methods=["POST"]),
            Route("/oauth/authorize", ok, methods=["GET"]),
            Route("/oauth/sign-in", sign_in, methods=["POST"]),
            Route("/api/private", private, methods=["GET"]),
            Route("/api/public", ok, methods=["GET"]),
        ],
        middleware=[
            Middleware(ClientIPMiddleware, trusted_proxies=trusted or []),
            Middleware(RateLimitMiddleware, limiter=limiter, settings=settings),
        ],
    )


def client_for(app: Starlette, ip: str = "192.0.2.1") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app, client=(ip, 1234)), base_url="http://testserver")


def assert_rate_limited(response: httpx.Response, *, at_most: int) -> int:
    assert response.status_code == 429
    retry_after = int(response.headers["retry-after"])
    assert 1 <= retry_after <= at_most
    body = response.json()
    assert body["code"] == "rate_limited"
    assert body["error"].startswith("Too many requests: ")
    assert body["error"].endswith(f"Retry after {retry_after} seconds.")
    return retry_after


async def test_mcp_limit_answers_429_with_retry_after(make_limiter: MakeLimiter) -> None:
    time = ManualTime()
    app = build_app(make_limiter(time), limits())
    async with client_for(app) as client:
        for _ in range(3):
            time.advance(1)
            assert (await client.post("/mcp", json={})).status_code == 200
        time.advance(1)
        refused = await client.post("/mcp/", json={})
        # The first admitted request (3 s ago) frees its slot 57 s from now.
        assert assert_rate_limited(refused, at_most=60) == 57
        assert "POST /mcp allows 3 requests per 60 seconds" in refused.json()["error"]
        # Only POST /mcp is limited: the GET stream and other routes still pass.
        assert (await client.get("/mcp")).status_code == 200
        assert (await client.get("/api/public")).status_code == 200
        time.advance(57)
        assert (await client.post("/mcp", json={})).status_code == 200


async def test_window_slides_instead_of_resetting(make_limiter: MakeLimiter) -> None:
    time = ManualTime()
    limiter = make_limiter(time)
    assert (await limiter.hit("k", 3, 60)).allowed
    time.advance(59)
    assert (await limiter.hit("k", 3, 60)).allowed
    assert (await limiter.hit("k", 3, 60)).allowed
    assert await limiter.hit("k", 3, 60) == Decision(False, 1)
    time.advance(2)
    # A fixed window would start afresh at 60 s and admit 3 more; a sliding one still counts the two
    # requests made 2 s ago, so exactly one slot is free.
    assert (await limiter.hit("k", 3, 60)).allowed
    assert await limiter.hit("k", 3, 60) == Decision(False, 58)
    time.advance(58)
    assert (await limiter.hit("k", 3, 60)).allowed
    assert (await limiter.hit("k", 3, 60)).allowed
    assert not (await limiter.hit("k", 3, 60)).allowed


async def test_refused_requests_do_not_extend_the_wait(make_limiter: MakeLimiter) -> None:
    time = ManualTime()
    limiter = make_limiter(time)
    assert (await limiter.hit("k", 1, 60)).allowed
    for _ in range(5):
        time.advance(10)
        assert not (await limiter.hit("k", 1, 60)).allowed
    time.advance(10)
    assert (await limiter.hit("k", 1, 60)).allowed


BAD_KEY = {"x-api-key": "guess"}


async def test_eleventh_failed_authentication_is_429(make_limiter: MakeLimiter) -> None:
    time = ManualTime()
    app = build_app(make_limiter(time), limits())
    async with client_for(app, "192.0.2.66") as attacker, client_for(app, "192.0.2.7") as bystander:
        for _ in range(10):
            assert (await attacker.get("/api/private", headers=BAD_KEY)).status_code == 401
        refused = await attacker.get("/api/private", headers=BAD_KEY)
        assert_rate_limited(refused, at_most=60)
        assert "10 failed authentication attempts" in refused.json()["error"]
        assert (await bystander.get("/api/private", headers=BAD_KEY)).status_code == 401
        time.advance(60)
        assert (await attacker.get("/api/private", headers=BAD_KEY)).status_code == 401


async def test_an_ip_over_the_failure_limit_keeps_what_needs_no_guess(make_limiter: MakeLimiter) -> None:
    app = build_app(make_limiter(ManualTime()), limits(rate_limit_auth_failures=3))
    async with client_for(app) as client:
        for _ in range(4):
            await client.get("/api/private", headers=BAD_KEY)
        assert (await client.get("/api/private", headers=BAD_KEY)).status_code == 429
        # A valid key, the public routes and authorize still answer; only bad credentials are refused.
        assert (await client.get("/api/private", headers={"x-api-key": GOOD_KEY})).status_code == 200
        assert (await client.get("/api/public")).status_code == 200
        assert (await client.get("/oauth/authorize")).status_code == 200


async def test_only_requests_with_a_credential_count(make_limiter: MakeLimiter) -> None:
    app = build_app(make_limiter(ManualTime()), limits(rate_limit_auth_failures=2))
    async with client_for(app) as client:
        for _ in range(5):  # "authentication required" is not a failed attempt (MCP clients start so)
            assert (await client.get("/api/private")).status_code == 401
        for _ in range(2):
            assert (await client.get("/api/private", headers={"authorization": "Bearer nope"})).status_code == 401
        assert (await client.get("/api/private", headers={"authorization": "Bearer nope"})).status_code == 429


async def test_password_sign_ins_are_refused_outright_past_the_limit(make_limiter: MakeLimiter) -> None:
    app = build_app(make_limiter(ManualTime()), limits(rate_limit_auth_failures=2, rate_limit_oauth=100))
    async with client_for(app) as client:
        for _ in range(2):
            assert (await client.post("/oauth/sign-in", data={"password": "wrong"})).status_code == 401
        # A guessable secret: even the right password waits, or the limit would tell a guesser nothing.
        right = await client.post("/oauth/sign-in", data={"password": "right"})
        assert_rate_limited(right, at_most=60)


async def test_concurrent_bad_attempts_are_counted_atomically(make_limiter: MakeLimiter) -> None:
    app = build_app(make_limiter(ManualTime()), limits())
    async with client_for(app) as client:
        answers = await asyncio.gather(*(client.get("/api/private", headers=BAD_KEY) for _ in range(100)))
    statuses = sorted(r.status_code for r in answers)
    assert statuses.count(401) == 10 and statuses.count(429) == 90


async def test_failures_spread_over_time_slide_out(make_limiter: MakeLimiter) -> None:
    time = ManualTime()
    app = build_app(make_limiter(time), limits(rate_limit_auth_failures=3))
    async with client_for(app) as client:
        for _ in range(2):
            assert (await client.get("/api/private", headers=BAD_KEY)).status_code == 401
        time.advance(50)
        assert (await client.get("/api/private", headers=BAD_KEY)).status_code == 401
        blocked = await client.get("/api/private", headers=BAD_KEY)
        assert assert_rate_limited(blocked, at_most=60) == 10
        time.advance(10)
        assert (await client.get("/api/private", headers=BAD_KEY)).status_code == 401


async def test_oauth_and_mcp_limits_are_separate(make_limiter: MakeLimiter) -> None:
    time = ManualTime()
    app = build_app(make_limiter(time), limits())
    async with client_for(app) as client:
        assert (await client.post("/oauth/token")).status_code == 200
        assert (await client.get("/oauth/authorize")).status_code == 200
        refused = await client.post("/oauth/token")
        assert_rate_limited(refused, at_most=60)
        assert "/oauth/* allows 2 requests" in refused.json()["error"]
        for _ in range(3):
            assert (await client.post("/mcp", json={})).status_code == 200
        assert (await client.post("/mcp", json={})).status_code == 429
        assert (await client.get("/oauth/authorize")).status_code == 429
        assert (await client.get("/api/public")).status_code == 200


async def test_limits_are_per_client_ip(make_limiter: MakeLimiter) -> None:
    time = ManualTime()
    app = build_app(make_limiter(time), limits())
    async with client_for(app, "192.0.2.1") as first, client_for(app, "192.0.2.2") as second:
        for _ in range(3):
            assert (await first.post("/mcp", json={})).status_code == 200
        assert (await first.post("/mcp", json={})).status_code == 429
        for _ in range(3):
            assert (await second.post("/mcp", json={})).status_code == 200
        assert (await second.post("/mcp", json={})).status_code == 429


async def test_clients_behind_a_trusted_proxy_are_told_apart(make_limiter: MakeLimiter) -> None:
    time = ManualTime()
    app = build_app(make_limiter(time), limits(), trusted=["10.0.0.0/8"])
    async with client_for(app, "10.0.0.5") as proxy, client_for(app, "192.0.2.9") as spoofer:
        for _ in range(3):
            response = await proxy.post("/mcp", headers={"x-forwarded-for": "203.0.113.1"})
            assert response.json() == {"ip": "203.0.113.1"}
        assert (await proxy.post("/mcp", headers={"x-forwarded-for": "203.0.113.1"})).status_code == 429
        assert (await proxy.post("/mcp", headers={"x-forwarded-for": "203.0.113.2"})).status_code == 200
        # A client talking to us directly cannot pick a fresh identity with the header.
        statuses = [
            (await spoofer.post("/mcp", headers={"x-forwarded-for": f"203.0.113.{n}"})).status_code
            for n in range(10, 14)
        ]
        assert statuses == [200, 200, 200, 429]


async def test_zero_switches_a_limit_off(make_limiter: MakeLimiter) -> None:
    app = build_app(make_limiter(ManualTime()), limits(rate_limit_mcp=0, rate_limit_auth_failures=0))
    async with client_for(app) as client:
        for _ in range(20):
            assert (await client.post("/mcp", json={})).status_code == 200
            assert (await client.get("/api/private")).status_code == 401


async def test_concurrent_hits_never_exceed_the_limit(make_limiter: MakeLimiter) -> None:
    limiter = make_limiter(ManualTime())
    decisions = await asyncio.gather(*(limiter.hit("burst", 20, 60) for _ in range(50)))
    assert sum(d.allowed for d in decisions) == 20
    assert all(d.retry_after >= 1 for d in decisions if not d.allowed)


async def test_memory_limiter_stays_bounded() -> None:
    time = ManualTime()
    limiter = MemoryLimiter(time_fn=time, max_keys=3)
    for n in range(5):
        await limiter.hit(f"k{n}", 10, 60)
    assert len(limiter) == 3  # least recently used keys were dropped
    assert (await limiter.peek("k0", 10, 60)).allowed
    assert len(limiter) == 3  # a peek at a client without a record stores nothing
    for _ in range(20):
        await limiter.hit("failures", 5, 60)
    assert await limiter.peek("failures", 5, 60) == Decision(False, 60)
    assert (await limiter.peek("failures", 6, 60)).allowed  # refused hits record nothing
    time.advance(61)
    await limiter.hit("fresh", 10, 60)
    assert len(limiter) == 1  # the sweep removed every key whose entries had all expired


async def test_redis_backend_really_stores_in_redis_and_is_shared() -> None:
    require_service("Redis", REDIS_URL, 6379)
    from redis.asyncio import Redis

    prefix = f"comstack:test:{uuid.uuid4().hex}:"
    time = ManualTime()
    worker_a = RedisLimiter.from_url(REDIS_URL, prefix=prefix, time_fn=time)
    worker_b = RedisLimiter.from_url(REDIS_URL, prefix=prefix, time_fn=time)
    inspector = Redis.from_url(REDIS_URL)
    try:
        app_a, app_b = build_app(worker_a, limits()), build_app(worker_b, limits())
        async with client_for(app_a) as on_a, client_for(app_b) as on_b:
            assert (await on_a.post("/mcp", json={})).status_code == 200
            assert (await on_b.post("/mcp", json={})).status_code == 200
            assert (await on_a.post("/mcp", json={})).status_code == 200
            assert (await on_b.post("/mcp", json={})).status_code == 429  # one window across workers
            assert await inspector.zcard(f"{prefix}mcp:192.0.2.1") == 3
            ttl = await inspector.pttl(f"{prefix}mcp:192.0.2.1")
            assert 0 < ttl <= 60_000  # the key expires on its own
            assert (await on_a.get("/api/private", headers={"x-api-key": "guess"})).status_code == 401
            assert await inspector.zcard(f"{prefix}authfail:192.0.2.1") == 1
    finally:
        await worker_a.aclose()
        await worker_b.aclose()
        await inspector.aclose()
        await delete_keys(prefix)


async def test_redis_server_clock_is_used_without_an_injected_one() -> None:
    require_service("Redis", REDIS_URL, 6379)
    prefix = f"comstack:test:{uuid.uuid4().hex}:"
    limiter = RedisLimiter.from_url(REDIS_URL, prefix=prefix)
    try:
        assert (await limiter.hit("k", 2, 60)).allowed
        assert (await limiter.hit("k", 2, 60)).allowed
        refused = await limiter.hit("k", 2, 60)
        assert not refused.allowed and 59 <= refused.retry_after <= 60
    finally:
        await limiter.aclose()
        await delete_keys(prefix)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_unreachable_redis_allows_and_warns(caplog: pytest.LogCaptureFixture) -> None:
    limiter = build_limiter(Settings(redis_url=f"redis://127.0.0.1:{closed_port()}/0"))
    assert isinstance(limiter, RedisLimiter)
    app = build_app(limiter, limits(rate_limit_mcp=1))
    try:
        with caplog.at_level(logging.WARNING, logger="comstack_http.middleware.ratelimit"):
            async with client_for(app) as client:
                for _ in range(3):
                    assert (await client.post("/mcp", json={})).status_code == 200
        warnings = [r for r in caplog.records if "Redis is unreachable" in r.getMessage()]
        assert len(warnings) == 1  # throttled, not one per request
    finally:
        await limiter.aclose()


def test_embedded_mode_builds_the_memory_limiter() -> None:
    assert isinstance(build_limiter(Settings(redis_url=None)), MemoryLimiter)


async def test_app_shutdown_closes_the_limiter() -> None:
    limiter = MemoryLimiter()
    app = build_app(limiter, limits())
    async with client_for(app) as client:
        await client.post("/mcp", json={})
    assert len(limiter) > 0
    inbox = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[Message] = []

    async def receive() -> Message:
        return inbox.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    await app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, receive, send)
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert len(limiter) == 0
