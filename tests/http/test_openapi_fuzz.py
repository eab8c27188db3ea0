"""Schemathesis against /openapi.json through the ASGI app: every operation, as a manager key of a
seeded project; no 5xx, and every answer matches the documented schema for its status.

SQLite only (the property is the door's, not the database's); derandomized, with a small number of
examples per operation, so it is a stable check that stays well under two minutes.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import BaseSchema, Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from starlette.applications import Starlette

from comstack_core import Core, Settings
from comstack_core.schemas import KeyCreate, PageCreate, ProjectCreate
from comstack_http.app import create_app
from comstack_http.routes import route_specs

from ..conftest import make_user, run_blocking

MAX_EXAMPLES = 12


@dataclass
class Seeded:
    app: Starlette
    project_id: str
    key: str
    page_path: str


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Seeded:
    root = tmp_path_factory.mktemp("fuzz")
    shutil.copy(sqlite_template, root / "comstack.db")
    settings = Settings(
        data_dir=root,
        database_url=f"sqlite+aiosqlite:///{root / 'comstack.db'}",
        public_url="http://testserver",
    )

    async def seed() -> tuple[str, str, str]:
        async with Core.open(settings) as core:
            manager = await make_user(core, "fuzz@example.com")
            project = await core.projects.create_project(manager, ProjectCreate(name="Fuzz Docs"))
            key = await core.keys.create_key(manager, project.id, KeyCreate(name="fuzz", role="manager"))
            page = await core.editing.create_page(
                manager, project.id, PageCreate(slug="guides/intro", title="Intro", content="Hello")
            )
            return project.id, key.key, page.page.path

    # Seeded in a loop of its own; the app then opens its Core in schemathesis' ASGI event loop.
    project_id, key, page_path = run_blocking(seed())
    return Seeded(create_app(settings), project_id, key, page_path)


@pytest.fixture(scope="module")
def api_schema(seeded: Seeded) -> BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", seeded.app)


# One test per operation and generation mode, listed from the route table; the operations themselves
# come from the served document. (Driven with plain Hypothesis: schemathesis' lazy pytest loader
# relies on pytest internals that pytest 9 removed.)
# Negative data needs something that can be invalid: a body, a query string or a typed path parameter.
CASES = [
    (spec.method, spec.path, mode)
    for spec in route_specs()
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode is GenerationMode.POSITIVE or spec.body or spec.query or "{number}" in spec.path
]


@pytest.mark.parametrize(("method", "path", "mode"), CASES, ids=[f"{m} {p} {g.value}" for m, p, g in CASES])
def test_every_operation_answers_as_documented(
    api_schema: BaseSchema, seeded: Seeded, method: str, path: str, mode: GenerationMode
) -> None:
    operation = api_schema[path][method]
    # Aim at the seeded project and page: a random project id would only ever meet a 403.
    fixed = {"project_id": seeded.project_id, "path": seeded.page_path}
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
