"""The OpenAPI document: one entry per registered route and back, every reference resolves, and the
bodies and answers are the very models the handlers use."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Route

from comstack_core import Settings
from comstack_core.schemas import PageCreate, PageSaved
from comstack_http.app import create_app
from comstack_http.routes import route_specs

from .conftest import running

METHODS = {"get", "post", "put", "patch", "delete", "head", "options"}


@pytest.fixture
async def document(tmp_path: Path, sqlite_template: Path) -> tuple[Starlette, dict[str, Any]]:
    shutil.copy(sqlite_template, tmp_path / "comstack.db")
    settings = Settings(
        data_dir=tmp_path,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'comstack.db'}",
        public_url="https://docs.example.com",
    )
    async with running(create_app(settings)) as app:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            response = await client.get("/openapi.json")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    return app, response.json()


# /api routes that authenticate on their own: a voice session's token, or Twilio's request signature.
SELF_AUTHENTICATED = {"/api/live/session/resume", "/api/live/tools/execute", "/api/live/twilio/voice"}
# Described by hand (openapi_doors): OAuth, /mcp, the sites and the voice page.
PROTOCOLS = ("/oauth/", "/.well-known/", "/mcp/", "/sites/", "/live/")


def registered(app: Starlette) -> set[tuple[str, str]]:
    """Every (method, path) the app routes. HEAD comes with every GET, OPTIONS on the OAuth endpoints is
    their CORS preflight; /mcp takes every method and answers all but POST, GET and DELETE with a 405."""
    found = set()
    for route in app.routes:
        if isinstance(route, Route):
            methods = set(route.methods or ("POST", "GET", "DELETE"))
            if "GET" in methods:
                methods.discard("HEAD")
            path = route.path.replace("{path:path}", "{path}")
            if (path + "/").startswith(PROTOCOLS):
                methods.discard("OPTIONS")
            found |= {(m.lower(), path) for m in methods}
    return found


def documented(doc: dict[str, Any]) -> set[tuple[str, str]]:
    return {(method, path) for path, item in doc["paths"].items() for method in item if method in METHODS}


async def test_every_route_is_documented_and_every_operation_is_routed(
    document: tuple[Starlette, dict[str, Any]],
) -> None:
    app, doc = document
    assert registered(app) == documented(doc)
    rest = {(m, p) for m, p in documented(doc) if not (p + "/").startswith(PROTOCOLS)}
    assert len(rest) == len(route_specs())
    assert doc["openapi"] == "3.1.0"


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if "$ref" in node else []
        return own + [r for v in node.values() for r in refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in refs(v)]
    return []


def resolve(doc: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = doc
    for part in ref[2:].split("/"):
        node = node[part]
    return node


async def test_every_reference_resolves(document: tuple[Starlette, dict[str, Any]]) -> None:
    _, doc = document
    for ref in set(refs(doc)):
        assert resolve(doc, ref) is not None


async def test_operations_are_complete(document: tuple[Starlette, dict[str, Any]]) -> None:
    _, doc = document
    rules = {(spec.method.lower(), spec.path): spec.rule for spec in route_specs()}
    ids = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            ids.append(op["operationId"])
            assert op["summary"] and op["tags"] and op["responses"]
            declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert declared == {seg[1:-1] for seg in path.split("/") if seg.startswith("{")}, path
            statuses = set(op["responses"])
            if (path + "/").startswith(PROTOCOLS):
                assert op["tags"] == ["protocols"] and {"429", "500"} <= statuses, (method, path)
                assert "413" in statuses or "requestBody" not in op
                continue
            assert "500" in statuses and "401" in statuses
            if path.endswith("/git/webhook"):  # signed by the repository host instead of credentials
                assert {"400", "403", "404"} <= statuses and not op["security"]
            elif path.startswith("/api/"):
                assert {"400", "403", "429"} <= statuses, (method, path)
                if path in SELF_AUTHENTICATED:
                    assert op["security"] == [], path
                    continue
                # Access and scope are the core use case's declaration, not the HTTP method's.
                rule = rules[method, path]
                assert rule is not None
                assert op["security"] == [
                    {"apiKey": [], "projectId": []},
                    {"oauth2": ["comstack"] if rule.writes else []},
                ]
                assert op["x-comstack-access"] == {"need": rule.need.value, "writes": rule.writes}
                assert rule.writes or method in ("get", "post"), (method, path)
                if method != "get":
                    assert "409" in statuses
                if "{" in path:
                    assert "404" in statuses
            else:
                assert op["security"] == []
            if "requestBody" in op:
                assert "413" in statuses
    assert len(ids) == len(set(ids))
    schemes = doc["components"]["securitySchemes"]
    assert schemes["apiKey"] == {
        "type": "apiKey",
        "in": "header",
        "name": "x-api-key",
        "description": schemes["apiKey"]["description"],
    }
    assert schemes["projectId"]["name"] == "x-project-id"
    flow = schemes["oauth2"]["flows"]["authorizationCode"]
    assert flow["tokenUrl"] == "https://docs.example.com/oauth/token"
    assert set(flow["scopes"]) == {"comstack", "comstack:read"}


async def test_bodies_and_answers_are_the_handlers_models(document: tuple[Starlette, dict[str, Any]]) -> None:
    _, doc = document
    create = doc["paths"]["/api/projects/{project_id}/docs"]["post"]
    body_ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    answer_ref = create["responses"]["201"]["content"]["application/json"]["schema"]["$ref"]
    assert create["requestBody"]["required"] is True
    schemas = doc["components"]["schemas"]
    assert resolve(doc, body_ref)["properties"].keys() == PageCreate.model_json_schema()["properties"].keys()
    assert resolve(doc, body_ref)["additionalProperties"] is False  # unknown fields are refused
    assert (
        resolve(doc, answer_ref)["required"] == PageSaved.model_json_schema(mode="serialization")["required"]
    )
    assert set(schemas["ErrorBody"]["required"]) == {"error", "code"}

    search = doc["paths"]["/api/projects/{project_id}/docs/search"]["get"]
    params = {p["name"]: p for p in search["parameters"]}
    assert params["q"]["required"] is True and params["limit"]["schema"]["maximum"] == 50
    assert params["language"]["schema"] == {"type": "string"}  # no 'null' branch in a query string

    delete = doc["paths"]["/api/projects/{project_id}/docs/{path}"]["delete"]
    assert delete["requestBody"]["required"] is False
    assert [p["name"] for p in delete["parameters"]] == ["project_id", "path", "project_name"]
    assert delete["responses"]["204"] == {"description": "Done; no content."}

    preview = doc["paths"]["/api/projects/{project_id}/docs/{path}/preview"]["get"]
    assert "text/html" in preview["responses"]["200"]["content"]
    restore = doc["paths"]["/api/projects/{project_id}/docs/{path}/revisions/{number}/restore"]["post"]
    assert {p["name"]: p["schema"]["type"] for p in restore["parameters"]}["number"] == "integer"
