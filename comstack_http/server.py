"""How ``comstack serve`` runs the app: uvicorn, with bounds on slow and numerous connections.

uvicorn closes idle keep-alive connections (``timeout_keep_alive``) and answers 503 past a number of
concurrent connections (``limit_concurrency``), but it sets no deadline for a request's headers: a
client sending them a byte at a time keeps its connection, and a place under the cap, as long as it
likes. ``HeaderDeadline`` is uvicorn's own h11 protocol plus that deadline: from the moment a
connection opens (or the next request on it starts) until its headers are complete; a connection
still short of them when it passes is closed.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.supervisors import Multiprocess

from comstack_core import Settings

STARTUP_FAILURE = 3  # uvicorn's exit status when the server could not start


class ServerConfig(uvicorn.Config):
    """uvicorn's configuration plus the header deadline (pickled to worker processes with the rest)."""

    def __init__(self, app: str, *, header_timeout: float, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.header_timeout = header_timeout


class HeaderDeadline(H11Protocol):
    def __init__(self, config: uvicorn.Config, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        self.header_timeout = float(getattr(config, "header_timeout", 0) or 0)
        self.header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is h11.IDLE:
            self._arm()  # the headers of a request are still on their way
        else:
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self.header_deadline is None and self.header_timeout > 0:
            self.header_deadline = self.loop.call_later(self.header_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self.header_deadline is not None:
            self.header_deadline.cancel()
            self.header_deadline = None

    def _too_slow(self) -> None:
        self.header_deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


def run(settings: Settings, *, host: str, port: int, workers: int, access_log: bool) -> None:
    """Serve ``comstack_http.asgi:app_factory`` as ``uvicorn.run`` would, with ``HeaderDeadline``."""
    config = ServerConfig(
        "comstack_http.asgi:app_factory",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=access_log,
        proxy_headers=False,
        http=HeaderDeadline,
        header_timeout=settings.header_timeout_seconds,
        timeout_keep_alive=settings.keep_alive_seconds,
        limit_concurrency=settings.max_connections or None,
    )
    server = uvicorn.Server(config)
    try:
        if config.workers > 1:
            Multiprocess(config, sockets=[config.bind_socket()]).run()
        else:
            server.run()
    except KeyboardInterrupt:  # pragma: no cover
        pass
    if config.workers == 1 and not server.started:
        sys.exit(STARTUP_FAILURE)
