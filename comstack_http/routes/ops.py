"""Operations routes: liveness, readiness, Prometheus metrics, the OpenAPI document.

Metrics are counted by ``Instrument``, a small pure-ASGI wrapper that ``rest_routes()`` puts
around every route it builds, labelled with the route *template* (never the raw path, which would
make one time series per page id). Each app gets its own ``CollectorRegistry``, so several apps in
one process (tests, embedding) keep separate counts and never clash on metric names.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from comstack_core.backup.schedule import BackupRun

from .models import ReadyView, StatusView
from .spec import Call, RouteSpec

READY_TIMEOUT_SECONDS = 3.0


class RequestMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "comstack_http_requests",
            "HTTP requests answered, by route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "comstack_http_request_duration_seconds",
            "Time to answer, by route template.",
            ["method", "route"],
            registry=self.registry,
        )

        self.backup_ok = Gauge(
            "comstack_backup_last_ok", "1 when the last scheduled backup succeeded, 0 when it failed.",
            registry=self.registry,
        )
        self.backup_time = Gauge(
            "comstack_backup_last_finished_timestamp_seconds", "When the last scheduled backup finished (Unix time).",
            registry=self.registry,
        )
        self.backup_bytes = Gauge(
            "comstack_backup_last_bytes", "Size of the last successful scheduled backup's archive.",
            registry=self.registry,
        )

    def record_backup(self, run: BackupRun | None) -> None:
        if run is not None:
            self.backup_ok.set(1 if run.ok else 0)
            self.backup_time.set(run.finished_at.timestamp())
            if run.ok:
                self.backup_bytes.set(run.bytes)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class Instrument:
    """Counts one route's answers, including those its exception handlers produced."""

    def __init__(self, app: ASGIApp, *, metrics: RequestMetrics, route: str) -> None:
        self.app = app
        self.metrics = metrics
        self.route = route

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            self.metrics.observe(scope["method"], self.route, status, time.perf_counter() - started)


def public_url(call: Call) -> str:
    runtime = getattr(call.request.app.state, "runtime", None)
    return runtime.settings.public_url if runtime is not None else str(call.request.base_url)


def specs(metrics: RequestMetrics, document: Callable[[str], dict[str, Any]]) -> list[RouteSpec]:
    async def healthz(call: Call) -> StatusView:
        return StatusView(status="ok")

    async def readyz(call: Call) -> ReadyView | Response:
        if await call.core.db.ping(within=READY_TIMEOUT_SECONDS):
            backups = call.core.backups
            return ReadyView(status="ok", backup=await backups.last_run() if backups.enabled else None)
        return JSONResponse({"error": "The database is not reachable.", "code": "not_ready"}, status_code=503)

    async def prometheus_metrics(call: Call) -> Response:
        if call.core.backups.enabled and await call.core.db.ping(within=READY_TIMEOUT_SECONDS):
            metrics.record_backup(await call.core.backups.last_run())
        return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)

    async def openapi_json(call: Call) -> Response:
        return JSONResponse(document(public_url(call)))

    t = "ops"
    return [
        RouteSpec(
            "GET",
            "/healthz",
            healthz,
            "Liveness: the process answers (no database check)",
            t,
            response=StatusView,
            auth=False,
        ),
        RouteSpec(
            "GET",
            "/readyz",
            readyz,
            "Readiness: the database answers a trivial query (503 when not); the last scheduled backup",
            t,
            response=ReadyView,
            auth=False,
            extra_errors=(503,),
        ),
        RouteSpec(
            "GET",
            "/metrics",
            prometheus_metrics,
            "Prometheus metrics: requests by route and status, latency, the last scheduled backup",
            t,
            auth=False,
            media_type="text/plain",
        ),
        RouteSpec(
            "GET",
            "/openapi.json",
            openapi_json,
            "This API's OpenAPI 3.1 document",
            t,
            auth=False,
            media_type="application/json",
        ),
    ]
