"""The limits behind a real uvicorn server on loopback, hit by many real clients at once."""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, contextmanager

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from comstack_core import Settings
from comstack_http.middleware.bodylimit import BodyLimitMiddleware
from comstack_http.middleware.clientip import ClientIPMiddleware
from comstack_http.middleware.ratelimit import Limiter, MemoryLimiter, RateLimitMiddleware, RedisLimiter

from ..conftest import REDIS_URL, require_service

CLIENTS, LIMIT = 50, 20


def build_app(limiter: Limiter, settings: Settings, seen: list[int]) -> Starlette:
    async def mcp(request: Request) -> JSONResponse:
        index = len(seen)
        seen.append(0)
        async for chunk in request.stream():
            seen[index] += len(chunk)
        total = seen[index]
        # Hold the request open a moment so the 50 really overlap inside the server.
        await asyncio.sleep(0.05)
        return JSONResponse({"ip": request.state.client_ip, "received": total})

    return Starlette(
        routes=[Route("/mcp", mcp, methods=["POST"]), Route("/upload", mcp, methods=["POST"])],
        middleware=[
            Middleware(ClientIPMiddleware, trusted_proxies=settings.trusted_proxies),
            Middleware(RateLimitMiddleware, limiter=limiter, settings=settings),
            Middleware(BodyLimitMiddleware, settings=settings),
        ],
    )


@contextmanager
def serve(app: Starlette) -> Iterator[str]:
    """Run uvicorn in a thread on a free loopback port (bound here, so no other process can take it)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)  # waiting for startup, not for a rate-limit window
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@pytest.fixture(params=["memory", "redis"])
async def limiter(request: pytest.FixtureRequest) -> AsyncIterator[tuple[str, Limiter]]:
    """A limiter for one server; the server's lifespan shutdown closes it."""
    if request.param == "memory":
        yield "memory", MemoryLimiter()
        return
    require_service("Redis", REDIS_URL, 6379)
    prefix = f"comstack:test:{uuid.uuid4().hex}:"
    yield prefix, RedisLimiter.from_url(REDIS_URL, prefix=prefix)
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_URL)
    try:
        keys = [key async for key in client.scan_iter(match=prefix + "*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


async def fire(url: str, clients: int) -> list[int]:
    """One request from each of ``clients`` separate clients (own connection each), all at once."""
    tls = ssl.create_default_context()  # shared: building one per client costs more than the requests
    async with AsyncExitStack() as stack:
        opened = [await stack.enter_async_context(httpx.AsyncClient(timeout=30, verify=tls))
                  for _ in range(clients)]
        ping = {"jsonrpc": "2.0", "method": "ping", "id": 1}
        responses = await asyncio.gather(*(client.post(url + "/mcp", json=ping) for client in opened))
    return [response.status_code for response in responses]


async def test_fifty_concurrent_clients_admit_exactly_the_limit(limiter: tuple[str, Limiter]) -> None:
    prefix, backend = limiter
    seen: list[int] = []
    app = build_app(backend, Settings(rate_limit_mcp=LIMIT), seen)
    with serve(app) as url:
        statuses = await fire(url, CLIENTS)
    assert sorted(statuses) == [200] * LIMIT + [429] * (CLIENTS - LIMIT)
    assert len(seen) == LIMIT  # the app itself ran exactly LIMIT times
    if isinstance(backend, RedisLimiter):
        from redis.asyncio import Redis

        inspector = Redis.from_url(REDIS_URL)
        try:
            # The admissions were recorded in Redis, not in some local fallback.
            assert await inspector.zcard(f"{prefix}mcp:127.0.0.1") == LIMIT
        finally:
            await inspector.aclose()


async def test_body_limit_over_a_real_connection() -> None:
    seen: list[int] = []
    settings = Settings(max_body_bytes=64 * 1024, max_large_body_bytes=256 * 1024)
    with serve(build_app(MemoryLimiter(), settings, seen)) as url:
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            declared = await client.post("/upload", content=b"x" * (1024 * 1024))
            assert declared.status_code == 413
            assert declared.json()["code"] == "payload_too_large"
            assert seen == []

            async def stream() -> AsyncIterator[bytes]:
                for _ in range(64):
                    yield b"x" * 16 * 1024  # 1 MB, chunked, no Content-Length

            streamed = await client.post("/upload", content=stream())
            assert streamed.status_code == 413
            assert len(seen) == 1 and seen[0] <= 64 * 1024  # cut inside the app's read, never past the limit
            fits = await client.post("/mcp", content=b"x" * (200 * 1024))
            assert fits.json()["received"] == 200 * 1024
