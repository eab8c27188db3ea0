"""The publish runner in a process of its own, beside a server.

Promoting thousands of pages, building the site and checking it are seconds of CPU work; in the
server's own process they hold the interpreter away from requests (a read's p99 went up 4–5× during a
5,000-page publish, whatever the thread switching interval). So ``comstack serve`` starts this child at a
lower CPU priority and hands it what builds: publish jobs (it claims them from the database, as any
runner does, and the server only wakes it), the dry run's check, and the manifests of the dry run and the
confirm (thousands of drafts loaded and linted: their objects alone made the server's garbage collector
pause its requests). The child opens its own ``Core`` on the same database and data directory.

The two talk over a pipe: ``("wake",)``, ``("ask", n, kind, args)`` → ``("ok", n, value)``, ``("raised",
n, error)`` for a domain error (the request fails with it, as it would in the server) or ``("failed", n,
message)``, and ``("stop",)``; ``kind`` is ``check`` or ``manifest``. The child exits when the pipe
closes, so a server killed with SIGKILL takes its runner with it, exactly as an in-process runner would
go: its job is taken over by the next runner once the heartbeat goes stale. If the child dies on its own,
the server starts another; a request that was waiting on it does its part in the server instead, so no
request fails for it.
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
from .errors import DomainError

log = logging.getLogger("comstack.publish")
NICE = 10  # CFS weight about a tenth of the server's: requests first, publishing with what is left
START_TIMEOUT = 120.0
STOP_TIMEOUT = 15.0
RESTART_BACKOFF = (1.0, 5.0, 30.0)  # seconds before restarting a child that died, by how often it has

Work = Callable[..., Awaitable[Any]]  # (project id, site URL, now, and the kind's own) -> the answer


class RunnerLost(Exception):
    """The runner process went away before it answered."""


class RunnerProcess:
    """The server's side: start, supervise and stop the child; ``wake``, ``check_plan`` and ``plan_manifest``
    stand in for the in-process ones, which ``check`` and ``manifest`` are: they answer in this process when
    the child cannot."""

    def __init__(self, settings: Settings, *, check: Work, manifest: Work) -> None:
        self.settings = settings.model_copy(update={"auto_migrate": False})  # the server migrated
        self.fallbacks = {"check": check, "manifest": manifest}
        self.process: Any = None
        self._conn: Connection | None = None
        self._pending: dict[int, asyncio.Future[Any]] = {}
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
        if kind == "ok":
            future.set_result(value)
        elif kind == "raised":
            future.set_exception(value)
        else:
            future.set_exception(RuntimeError(f"the publish runner process failed: {value}"))

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
        problems: list[str] = await self._ask("check", project_id, base_url, now)
        return problems

    async def plan_manifest(self, project_id: str, public_url: str, now: datetime, whole: bool) -> Any:
        return await self._ask("manifest", project_id, public_url, now, whole)

    async def _ask(self, kind: str, *args: Any) -> Any:
        self._next += 1
        n = self._next
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[n] = future
        if not self._send(("ask", n, kind, args)):
            self._pending.pop(n, None)
            return await self.fallbacks[kind](*args)
        try:
            return await future
        except RunnerLost:
            log.warning("the publish runner process went away during a dry run's %s; doing it here", kind)
            return await self.fallbacks[kind](*args)
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
        asked: set[asyncio.Task[None]] = set()
        assert core.publishing.check_plan is not None
        work: dict[str, Work] = {"check": core.publishing.check_plan, "manifest": core.publishing.manifest_here}

        async def answer(n: int, kind: str, args: tuple[Any, ...]) -> None:
            try:
                reply: tuple[Any, ...] = ("ok", n, await work[kind](*args))
            except DomainError as error:  # the request fails with it, as it would in the server
                reply = ("raised", n, error)
            except Exception as error:  # reported to the request waiting on it, which fails as it would here
                log.exception("dry run %s", kind)
                reply = ("failed", n, f"{type(error).__name__}: {error}")
            try:
                conn.send(reply)
            except Exception as error:  # an answer that cannot be pickled still ends its request
                conn.send(("failed", n, f"{type(error).__name__}: {error}"))

        def handle(message: tuple[Any, ...]) -> None:
            if message[0] == "wake":
                core.runner.wake()
            elif message[0] == "ask":
                task = asyncio.create_task(answer(*message[1:]))
                asked.add(task)
                task.add_done_callback(asked.discard)
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
        for task in asked:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner
