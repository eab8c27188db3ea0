"""Ops routes: liveness, readiness (with a database that is down), Prometheus metrics."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

from comstack_core import Core
from comstack_core.db import Database

from .conftest import Rest, build_app, running


def samples(text: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                out[tuple(sorted(sample.labels.items()))] = sample.value
    return out


def count(text: str, method: str, route: str, status: int) -> float:
    labels = (("method", method), ("route", route), ("status", str(status)))
    return samples(text, "comstack_http_requests_total").get(labels, 0.0)


async def test_health_and_readiness(rest: Rest) -> None:
    health = await rest.client.get("/healthz")
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    ready = await rest.client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ok", "backup": None}  # no scheduled backups here


async def test_readiness_is_503_when_the_database_is_down(core: Core) -> None:
    # A real database URL nobody listens on: the check must fail fast and say so without details.
    # The publish runner needs the database at start; readiness is about a database lost later on.
    settings = core.settings.model_copy(update={"run_publish_jobs": False})
    broken = Core(settings, Database("postgresql+asyncpg://nobody@127.0.0.1:9/none"))
    try:
        async with running(build_app(broken)) as app:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                ready = await client.get("/readyz")
                assert ready.status_code == 503
                assert ready.json() == {"error": "The database is not reachable.", "code": "not_ready"}
                assert (await client.get("/healthz")).status_code == 200
    finally:
        await broken.db.dispose()


async def test_metrics_count_by_route_template_and_status(rest: Rest) -> None:
    page_route = "/api/projects/{project_id}/docs/{path}"
    for _ in range(2):
        assert (await rest.call("GET", rest.p("/docs/pg_missing"))).status_code == 404
    assert (await rest.call("GET", rest.p("/docs"))).status_code == 200
    assert (await rest.call("GET", rest.p("/docs", rest.world.other_project_id))).status_code == 404

    text = (await rest.client.get("/metrics")).text
    assert count(text, "GET", page_route, 404) == 2
    assert count(text, "GET", "/api/projects/{project_id}/docs", 200) == 1
    assert count(text, "GET", "/api/projects/{project_id}/docs", 404) == 1
    latency = samples(text, "comstack_http_request_duration_seconds_count")
    assert latency[(("method", "GET"), ("route", page_route))] == 2
    assert "pg_missing" not in text  # labels are templates, never raw paths


async def test_each_app_has_its_own_registry(rest: Rest, core: Core) -> None:
    await rest.client.get("/healthz")
    async with running(build_app(core)) as other:
        transport = httpx.ASGITransport(app=other)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            response = await client.get("/metrics")
            assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
            assert count(response.text, "GET", "/healthz", 200) == 0
    assert count((await rest.client.get("/metrics")).text, "GET", "/healthz", 200) == 1
