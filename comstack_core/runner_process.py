"""The publish runner in a process of its own, beside a server.

Promoting thousands of pages, building the site and checking it are seconds of CPU work; in the
server's own process they hold the interpreter away from requests (a read's p99 went up 4–5× during a
5,000-page publish, whatever the thread switching interval). So ``comstack serve`` starts this child at a
lower CPU priority and hands it the two things that build: publish jobs (it claims them from the
database, as any runner does, and the server only wakes it) and the dry run's check. The child opens
its own ``Core`` on the same database and data directory.

The two talk over a pipe: ``("wake",)``, ``("check", n, project, base_url, now)`` → ``("checked", n,
problems)`` or ``("failed", n, message)``, ``("stop",)``. The child exits when the pipe closes, so a
server killed with SIGKILL takes its runner with it, exactly as an in-process runner would go: its job is
taken over by the next runner once the heartbeat goes stale. If the child dies on its own, the server
starts another; a dry run that was waiting on it runs its check in the server instead, so no request
fails for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from multiprocessing.connection import Connection
from typing import Any

from .config import Settings

log = logging.getLogger("comstack.publish")
NICE = 10  # CFS weight about a tenth of the server's: requests first, publishing with what is left
START_TIMEOUT = 120.0
STOP_TIMEOUT = 15.0
RESTART_BACKOFF = (1.0, 5.0, 30.0)  # seconds before restarting a child that died, by how often it has

Check = Callable[[str, str, datetime], Awaitable[list[str]]]


class RunnerLost(Exception):
    """The runner process went away before it answered."""


class RunnerProcess:
    """The server's side: start, supervise and stop the child; ``wake`` and ``check_plan`` stand in for the
    in-process runner's. ``fallback`` checks a plan in this process when the child cannot."""

    def __init__(self, settings: Settings, fallback: Check) -> None:
        self.settings = settings.model_copy(update={"auto_migrate": False})  # the server migrated
        self.fallback = fallback
        self.process: Any = None
        self._conn: Connection | None = None
        self._pending: dict[int, asyncio.Future[list[str]]] = {}
        self._next = 0
        self._stopping = False
        self._deaths: list[float] = []
        self._restart: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def connected(self) -> bool:
        """A child is up and answering (False between a death and its replacement)."""
        return self._conn is not None

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[RunnerProcess]:
        self._loop = asyncio.get_running_loop()
        await self._start()
        try:
            yield self
        finally:
            await self.stop()

    async def _start(self) -> None:
        ctx = multiprocessing.get_context("spawn")  # a fresh interpreter: forking a threaded server is unsafe
        ours, theirs = ctx.Pipe(duplex=True)
        process = ctx.Process(target=child_main, args=(self.settings, theirs), name="comstack-runner")
        process.start()
        theirs.close()
        ready = await asyncio.to_thread(_wait_ready, ours, process, START_TIMEOUT)
        if not ready:
            process.kill()
            await asyncio.to_thread(process.join, 5)
            raise RuntimeError(
                "The publish runner process did not start (see the log above). "
                "COMSTACK_PUBLISH_RUNNER=inline runs publish jobs in the server's process instead."
            )
        self.process, self._conn = process, ours
        threading.Thread(target=self._read, args=(ours,), name="comstack-runner-pipe", daemon=True).start()
        log.info("publish runner process %s started", process.pid)

    def _read(self, conn: Connection) -> None:
        """The pipe's reader, on a thread of its own: answers go to their waiting dry runs."""
        loop = self._loop
        assert loop is not None
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                loop.call_soon_threadsafe(self._lost, conn)
                return
            loop.call_soon_threadsafe(self._answer, message)

    def _answer(self, message: tuple[Any, ...]) -> None:
        kind, n, value = message
        future = self._pending.pop(n, None)
        if future is None or future.done():
            return
        if kind == "checked":
            future.set_result(value)
        else:
            future.set_exception(RuntimeError(f"the publish runner process failed the check: {value}"))

    def _lost(self, conn: Connection) -> None:
        if conn is not self._conn:
            return
        self._conn = None
        for future in self._pending.values():
            if not future.done():
                future.set_exception(RunnerLost())
        self._pending.clear()
        if self._stopping:
            return
        now = time.monotonic()
        self._deaths = [t for t in self._deaths if now - t < 300] + [now]
        delay = RESTART_BACKOFF[min(len(self._deaths), len(RESTART_BACKOFF)) - 1]
        log.error(
            "the publish runner process exited (code %s); starting another in %.0f s",
            self.process.exitcode if self.process else None,
            delay,
        )
        self._restart = asyncio.ensure_future(self._restart_after(delay))

    async def _restart_after(self, delay: float) -> None:
        await asyncio.sleep(delay)
        if self.process is not None:
            await asyncio.to_thread(self.process.join, 5)
        if not self._stopping:
            try:
                await self._start()
            except Exception:  # did not come up, or could not be spawned at all: try again later
                log.exception("publish runner process")
                self._lost_start()

    def _lost_start(self) -> None:
        # A child that cannot start is retried like one that died, with the longest back-off.
        self._deaths.append(time.monotonic())
        self._restart = asyncio.ensure_future(self._restart_after(RESTART_BACKOFF[-1]))

    def _send(self, message: tuple[Any, ...]) -> bool:
        if self._conn is None:
            return False
        try:
            self._conn.send(message)
        except OSError:
            return False
        return True

    def wake(self) -> None:
        """A job is queued. A child that is down claims it when it starts (a runner looks on start)."""
        self._send(("wake",))

    async def check_plan(self, project_id: str, base_url: str, now: datetime) -> list[str]:
        self._next += 1
        n = self._next
        future: asyncio.Future[list[str]] = asyncio.get_running_loop().create_future()
        self._pending[n] = future
        if not self._send(("check", n, project_id, base_url, now)):
            self._pending.pop(n, None)
            return await self.fallback(project_id, base_url, now)
        try:
            return await future
        except RunnerLost:
            log.warning("the publish runner process went away during a dry run's check; checking here")
            return await self.fallback(project_id, base_url, now)
        finally:
            self._pending.pop(n, None)

    async def stop(self) -> None:
        self._stopping = True
        if self._restart is not None:
            self._restart.cancel()
        process = self.process
        if process is None:
            return
        self._send(("stop",))
        await asyncio.to_thread(process.join, STOP_TIMEOUT)
        if process.is_alive():
            log.warning("the publish runner process did not stop in %.0f s; killing it", STOP_TIMEOUT)
            process.kill()
            await asyncio.to_thread(process.join, 5)
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _wait_ready(conn: Connection, process: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if conn.poll(0.2):
            try:
                return bool(conn.recv() == ("ready",))
            except (EOFError, OSError):
                return False
        if not process.is_alive():
            return False
    return False


# -- the child ---------------------------------------------------------------------------------------
def child_main(settings: Settings, conn: Connection) -> None:
    with contextlib.suppress(OSError):
        os.nice(NICE)
    asyncio.run(_serve(settings, conn))


async def _serve(settings: Settings, conn: Connection) -> None:
    from .core import Core  # the child's own imports, not the parent's

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    async with Core.open(settings) as core:
        runner = asyncio.create_task(core.runner.run_forever())
        checks: set[asyncio.Task[None]] = set()

        async def check(n: int, project_id: str, base_url: str, now: datetime) -> None:
            assert core.publishing.check_plan is not None
            try:
                answer: tuple[Any, ...] = (
                    "checked",
                    n,
                    await core.publishing.check_plan(project_id, base_url, now),
                )
            except Exception as error:  # reported to the dry run waiting on it, which fails as it would here
                log.exception("dry run check")
                answer = ("failed", n, f"{type(error).__name__}: {error}")
            conn.send(answer)

        def handle(message: tuple[Any, ...]) -> None:
            if message[0] == "wake":
                core.runner.wake()
            elif message[0] == "check":
                task = asyncio.create_task(check(*message[1:]))
                checks.add(task)
                task.add_done_callback(checks.discard)
            elif message[0] == "stop":
                stop.set()

        def read() -> None:
            while True:
                try:
                    message = conn.recv()
                except (EOFError, OSError):
                    os._exit(0)  # the server is gone (even by SIGKILL): go with it, mid-job or not
                loop.call_soon_threadsafe(handle, message)
                if message[0] == "stop":
                    return

        threading.Thread(target=read, name="comstack-runner-pipe", daemon=True).start()
        conn.send(("ready",))
        await stop.wait()
        runner.cancel()
        for task in checks:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner
