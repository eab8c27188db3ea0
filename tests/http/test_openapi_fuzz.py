"""Schemathesis against /openapi.json through the ASGI app: every operation of the whole document (the REST
table and the protocol endpoints: OAuth, /mcp, the sites' MCP servers and files, the voice page), as a
manager key of a seeded project; no 5xx, every answer matches the documented schema for its status, and
every 405 names in Allow the methods the document lists for the URL.

SQLite only (the property is the door's, not the database's); derandomized, with a small number of
examples per operation, so it is a stable check that stays well under two minutes.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import BaseSchema, Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from starlette.applications import Starlette
from starlette.testclient import TestClient

from comstack_core import Core, Settings
from comstack_core.schemas import KeyCreate, PageCreate, ProjectCreate
from comstack_http.app import create_app
from comstack_http.routes import route_specs
from comstack_http.routes.openapi_doors import door_paths

from ..conftest import make_user, run_blocking

MAX_EXAMPLES = 12


@dataclass
class Seeded:
    app: Starlette
    project_id: str
    key: str
    page_path: str
    slug: str


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Seeded:
    root = tmp_path_factory.mktemp("fuzz")
    shutil.copy(sqlite_template, root / "comstack.db")
    settings = Settings(
        data_dir=root,
        database_url=f"sqlite+aiosqlite:///{root / 'comstack.db'}",
        public_url="http://testserver",
        # Every operation is tried many times from one client: the limits are not what this test is about.
        rate_limit_mcp=100_000,
        rate_limit_oauth=100_000,
    )

    async def seed() -> tuple[str, str, str, str]:
        async with Core.open(settings) as core:
            manager = await make_user(core, "fuzz@example.com")
            project = await core.projects.create_project(manager, ProjectCreate(name="Fuzz Docs"))
            key = await core.keys.create_key(manager, project.id, KeyCreate(name="fuzz", role="manager"))
            page = await core.editing.create_page(
                manager, project.id, PageCreate(slug="guides/intro", title="Intro", content="Hello")
            )
            return project.id, key.key, page.page.path, project.slug

    # Seeded in a loop of its own; the app then opens its Core in schemathesis' ASGI event loop.
    project_id, key, page_path, slug = run_blocking(seed())
    return Seeded(create_app(settings), project_id, key, page_path, slug)


@pytest.fixture(scope="module")
def api_schema(seeded: Seeded) -> BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", seeded.app)


# One test per operation and generation mode, listed from the route table; the operations themselves
# come from the served document. (Driven with plain Hypothesis: schemathesis' lazy pytest loader
# relies on pytest internals that pytest 9 removed.)
# Negative data needs something that can be invalid: a body, a query string or a typed path parameter.
def _can_be_invalid(operation: dict[str, Any]) -> bool:
    """Negative data needs a body with something required or typed; free strings cannot be wrong."""
    for content in operation.get("requestBody", {}).get("content", {}).values():
        schema = content["schema"]
        if "$ref" in schema or schema.get("required"):
            return True
    return False


CASES = [
    (spec.method, spec.path, mode)
    for spec in route_specs()
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode is GenerationMode.POSITIVE or spec.body or spec.query or "{number}" in spec.path
] + [
    # The protocol endpoints (OAuth, /mcp, the sites, the voice page), described by hand.
    (method.upper(), path, mode)
    for path, item in door_paths().items()
    for method, operation in item.items()
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode is GenerationMode.POSITIVE or _can_be_invalid(operation)
]


@pytest.mark.parametrize(("method", "path", "mode"), CASES, ids=[f"{m} {p} {g.value}" for m, p, g in CASES])
def test_every_operation_answers_as_documented(
    api_schema: BaseSchema, seeded: Seeded, method: str, path: str, mode: GenerationMode
) -> None:
    operation = api_schema[path][method]
    # Aim at the seeded project and page: a random project id would only ever meet a 403.
    fixed = {"project_id": seeded.project_id, "path": seeded.page_path, "project_slug": seeded.slug}
    names = {parameter.name for parameter in operation.path_parameters}
    strategy = operation.as_strategy(
        generation_mode=mode, path_parameters={k: v for k, v in fixed.items() if k in names}
    )
    headers = {"x-api-key": seeded.key, "x-project-id": seeded.project_id}

    @given(case=strategy)
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate],
    )
    def check(case: Case) -> None:
        case.call_and_validate(headers=headers, checks=[not_a_server_error, response_schema_conformance])

    check()


def test_every_405_names_the_documented_methods(api_schema: BaseSchema, seeded: Seeded) -> None:
    """A method the document lists for no path matching the URL is a 405 whose Allow names every method it
    lists for them (paths overlap: PATCH .../docs/search is the page 'search'). HEAD comes with GET, OPTIONS
    is the OAuth endpoints' CORS preflight; /mcp documents GET and DELETE as its 405s."""
    paths = api_schema.raw_schema["paths"]
    templates = [(re.compile("^" + re.sub(r"{(\w+)}", "[^/]+", path) + "$"), item) for path, item in paths.items()]
    values = {"project_id": seeded.project_id, "path": seeded.page_path, "project_slug": seeded.slug, "number": "1"}
    problems = []
    with TestClient(seeded.app) as client:
        for path in paths:
            url = re.sub(r"{(\w+)}", lambda m: values.get(m.group(1), "x"), path)
            items = [item for pattern, item in templates if pattern.match(url)]
            # An MCP endpoint takes every method itself (documenting its 405s): it owns its URL outright.
            owners = [i for i in items if any(set(op["responses"]) <= {"405", "429", "500"} for op in i.values())]
            items = owners or items
            listed = {m.upper() for item in items for m in item}
            served = {m.upper() for item in items for m, op in item.items() if set(op["responses"]) - {"405", "429", "500"}}
            method = next((m for m in ("PUT", "PATCH", "DELETE", "POST", "GET") if m not in listed), None)
            if method is None:
                continue
            answer = client.request(method, url)
            allow = {m.strip() for m in answer.headers.get("allow", "").split(",") if m.strip()}
            if answer.status_code != 405 or allow - {"HEAD", "OPTIONS"} != served - {"HEAD", "OPTIONS"}:
                problems.append(f"{method} {url}: {answer.status_code}, Allow {sorted(allow)}, documented {sorted(served)}")
    assert not problems, "\n".join(problems)
