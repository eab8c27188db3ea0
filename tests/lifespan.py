"""Running an app inside a test, shared by the door test suites: its lifespan alone, or the whole app
under uvicorn on a loopback port."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import uvicorn
from starlette.applications import Starlette
from starlette.types import ASGIApp


@asynccontextmanager
async def running(app: Starlette) -> AsyncIterator[Starlette]:
    """Run the app's lifespan in a task of its own: anyio task groups inside it (the MCP session
    manager's) must be exited by the task that entered them, and a fixture's teardown is another task."""
    started, stop = asyncio.Event(), asyncio.Event()

    async def serve() -> None:
        async with app.router.lifespan_context(app):
            started.set()
            await stop.wait()

    task = asyncio.create_task(serve())
    waiter = asyncio.create_task(started.wait())
    await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    waiter.cancel()
    if task.done():
        task.result()
    try:
        yield app
    finally:
        stop.set()
        await task


@contextmanager
def serve(app: ASGIApp, port: int = 0) -> Iterator[str]:
    """Run ``app`` (lifespan included) with uvicorn on 127.0.0.1 in a thread; yields its base URL.
    ``port`` 0 takes a free one."""
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="on", log_level="warning", ws="none")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
