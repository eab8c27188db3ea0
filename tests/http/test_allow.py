"""405 answers name every method the path takes: walked over every route of the app (the REST table,
OAuth, the sites, the voice page, /mcp), each path tried with every method."""

from __future__ import annotations

import re

import httpx
import pytest
from starlette.routing import Route

from comstack_http.routes import route_specs

from ..conftest import World
from ..lifespan import running
from .conftest import build_app

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
SAMPLE = {"number": "1", "path": "intro"}


def concrete(template: str) -> str:
    return re.sub(r"{(\w+)(:\w+)?}", lambda m: SAMPLE.get(m.group(1), "x"), template)


@pytest.fixture
def many_requests(world: World) -> World:
    # Each path is tried with every method; the per-client limits are not what this test is about.
    settings = world.core.settings
    settings.rate_limit_oauth = settings.rate_limit_mcp = 100_000
    return world


async def test_every_405_lists_every_method_the_path_takes(many_requests: World) -> None:
    app = build_app(many_requests.core)
    paths = sorted({concrete(route.path) for route in app.router.routes if isinstance(route, Route)})
    assert {concrete(spec.path) for spec in route_specs()} <= set(paths)  # the whole table, not a sample
    problems = []
    async with running(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        for path in paths:
            answers = {method: await client.request(method, path) for method in METHODS}
            refused = {method for method, answer in answers.items() if answer.status_code == 405}
            taken = [method for method in METHODS if method not in refused]
            for method in sorted(refused):
                answer = answers[method]
                allow = [m.strip() for m in answer.headers.get("allow", "").split(",") if m.strip()]
                if set(allow) - {"HEAD"} != set(taken) - {"HEAD"}:
                    problems.append(f"{method} {path}: Allow {allow}, but the path takes {taken}")
                if method != "HEAD" and answer.json().get("code") != "method_not_allowed":
                    problems.append(f"{method} {path}: {answer.text[:200]}")
    assert not problems, "\n".join(problems)
