"""BodyLimitMiddleware: 413 while reading, per-route limits, and the app never sees more than the limit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from comstack_core import Settings
from comstack_http.middleware.bodylimit import BodyLimitMiddleware

GENERAL, IMAGE, LARGE = 1_000, 8_000, 3_000
SETTINGS = Settings(max_body_bytes=GENERAL, max_image_bytes=IMAGE, max_large_body_bytes=LARGE)


class Recorder:
    """How many body bytes the app behind the middleware received, per request."""

    def __init__(self) -> None:
        self.seen: list[int] = []

    async def read(self, request: Request) -> JSONResponse:
        total = 0
        self.seen.append(0)
        async for chunk in request.stream():
            total += len(chunk)
            self.seen[-1] = total
        return JSONResponse({"received": total})

    async def swallow(self, request: Request) -> JSONResponse:
        # An app that turns every read error into its own answer must still end in 413.
        try:
            await self.read(request)
        except Exception:
            return JSONResponse({"error": "Bad JSON.", "code": "invalid_input"}, status_code=400)
        return JSONResponse({"received": self.seen[-1]})


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
async def client(recorder: Recorder) -> AsyncIterator[httpx.AsyncClient]:
    methods = ["POST", "PUT"]
    app = Starlette(
        routes=[
            Route("/api/projects/{pid}/pages", recorder.read, methods=methods),
            Route("/api/projects/{pid}/images", recorder.read, methods=methods),
            Route("/api/projects/{pid}/images/{rest:path}", recorder.read, methods=methods),
            Route("/api/projects/{pid}/docs/edit/upload-custom-page", recorder.read, methods=methods),
            Route("/mcp", recorder.read, methods=methods),
            Route("/swallow", recorder.swallow, methods=methods),
        ],
        middleware=[Middleware(BodyLimitMiddleware, settings=SETTINGS)],
    )
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as opened:
        yield opened


def chunks(count: int, size: int, produced: list[int] | None = None) -> AsyncIterator[bytes]:
    async def generate() -> AsyncIterator[bytes]:
        for _ in range(count):
            if produced is not None:
                produced.append(size)
            yield b"x" * size

    return generate()


def assert_too_large(response: httpx.Response, limit: int) -> None:
    assert response.status_code == 413
    assert response.json() == {
        "error": f"Request body too large: the limit for this route is {limit} bytes.",
        "code": "payload_too_large",
    }


async def test_declared_length_over_the_limit_is_refused_unread(
    client: httpx.AsyncClient, recorder: Recorder
) -> None:
    assert_too_large(await client.post("/api/projects/p1/pages", content=b"x" * (GENERAL + 1)), GENERAL)
    assert recorder.seen == []  # the app was never called


async def test_at_the_limit_passes(client: httpx.AsyncClient, recorder: Recorder) -> None:
    response = await client.post("/api/projects/p1/pages", content=b"x" * GENERAL)
    assert response.json() == {"received": GENERAL}


async def test_streamed_body_is_cut_at_the_limit(client: httpx.AsyncClient, recorder: Recorder) -> None:
    produced: list[int] = []
    response = await client.post("/api/projects/p1/pages", content=chunks(10, 300, produced))
    assert_too_large(response, GENERAL)
    assert recorder.seen == [900]  # three chunks; the fourth would cross 1,000 and never reached the app
    assert sum(produced) == 1_200  # and the client's stream was not read any further


async def test_streamed_body_under_the_limit_passes(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/projects/p1/pages", content=chunks(3, 300))
    assert response.json() == {"received": 900}


async def test_app_that_swallows_the_error_still_answers_413(
    client: httpx.AsyncClient, recorder: Recorder
) -> None:
    assert_too_large(await client.post("/swallow", content=chunks(5, 400)), GENERAL)
    assert recorder.seen == [800]


@pytest.mark.parametrize(
    ("method", "path", "limit"),
    [
        ("POST", "/api/projects/p1/images", IMAGE),
        ("PUT", "/api/projects/p1/images/img_1/file", IMAGE),
        ("POST", "/mcp", LARGE),
        ("POST", "/api/projects/p1/docs/edit/upload-custom-page", LARGE),
        ("PUT", "/api/projects/p1/docs/edit/upload-custom-page", GENERAL),
        ("POST", "/api/projects/p1/pages", GENERAL),
        ("PUT", "/api/projects/p1/images", GENERAL),
    ],
)
async def test_route_limits(client: httpx.AsyncClient, recorder: Recorder, method: str, path: str,
                            limit: int) -> None:
    fits = await client.request(method, path, content=b"x" * limit)
    assert fits.json() == {"received": limit}
    assert_too_large(await client.request(method, path, content=b"x" * (limit + 1)), limit)
    streamed = await client.request(method, path, content=chunks(limit // 500 + 1, 500))
    assert_too_large(streamed, limit)
    assert recorder.seen[-1] <= limit


async def run_raw(app: Any, body_chunks: list[bytes], headers: list[tuple[bytes, bytes]]) -> list[Message]:
    """Drive the middleware with hand-made ASGI messages (a lying Content-Length, a started answer)."""
    inbox: list[Message] = [
        {"type": "http.request", "body": chunk, "more_body": n < len(body_chunks) - 1}
        for n, chunk in enumerate(body_chunks)
    ]
    sent: list[Message] = []

    async def receive() -> Message:
        return inbox.pop(0) if inbox else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/x", "headers": headers}
    await BodyLimitMiddleware(app, settings=SETTINGS)(scope, receive, send)
    return sent


async def test_lying_content_length_is_caught_by_counting(recorder: Recorder) -> None:
    sent = await run_raw(Starlette(routes=[Route("/api/x", recorder.read, methods=["POST"])]),
                         [b"x" * 600, b"x" * 600], [(b"content-length", b"10")])
    assert sent[0]["status"] == 413
    assert recorder.seen == [600]


async def test_answer_already_started_is_cut_short() -> None:
    seen: list[int] = []

    async def echo(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        while True:
            message = await receive()
            seen.append(len(message.get("body", b"")))
            await send({"type": "http.response.body", "body": b"ok", "more_body": True})
            if not message.get("more_body"):
                break
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    sent = await run_raw(echo, [b"x" * 400] * 4, [])
    assert sum(seen) == 800
    # No 413 can follow a started answer, and nothing claims the cut answer is complete.
    assert [m.get("status") for m in sent if m["type"] == "http.response.start"] == [200]
    assert all(m.get("more_body") for m in sent if m["type"] == "http.response.body")
