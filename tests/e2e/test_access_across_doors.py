"""Every tool and every route, called by a caller one step below what its core use case declares and by
a read-only credential, is refused by the core, and each door renders that refusal its way.

The tools and routes are enumerated from the catalogue and the route table, and what each needs is read
from the core's declaration (``@use_case``) through the spec's ``rule``: a new tool or route is covered
without touching this file. Valid arguments are built from each input model's JSON schema, so a refusal
can only come from the access rules; an input the builder cannot satisfy fails loudly (add it to
``SAMPLES``).

One step too low: a manager for platform-admin use cases, an editor for manager ones, a viewer for
editor ones, a non-member for viewer ones (the project is invisible to them: 404), and an API key for
use cases that need a person. A read-only token of a caller who has the need is refused every use case
that writes, and no use case that only reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import httpx
import pytest
from pydantic import BaseModel, ValidationError

from comstack_core import Principal, Settings
from comstack_core.auth import SCOPE_READ
from comstack_core.schemas import KeyCreate
from comstack_core.usecases import Need, Rule
from comstack_http.routes import api_specs
from comstack_http.routes.spec import RouteSpec
from comstack_mcp.catalog import all_tools
from comstack_mcp.spec import ToolSpec

from ..conftest import World
from ..mcp.harness import FixedTokens, LiveServer, bearer, build_app, key_headers, mcp_client, serve

TOOLS = all_tools()
ROUTES = [spec for spec in api_specs() if spec.auth]

# Values for fields whose schema alone does not say what is valid (patterns, cross-field rules).
FIELD_VALUES: dict[str, Any] = {
    "slug": "guides/intro",
    "path": "pg_missing",
    "email": "someone@example.com",
    "language": "en",
    "default_locale": "en",
    "hostname": "docs.example.org",
    "template_id": "docs",
    "id": "recipe",
    "publish_id": "pub_missing",
    "task_id": "tt_missing",
    "confirmation_token": "0" * 64,
    "draft_id": "pg_missing",
    "q": "widgets",
    "query": "widgets",
    "name": "Widgets",
    "icon": "menu_book",
    "target": "index",
    "url": "https://example.com/acme/docs.git",
    "data_base64": "aGVsbG8=",
}
# Whole inputs for the few the schema walk cannot build; keyed by tool name or "METHOD /path".
SAMPLES: dict[str, dict[str, Any]] = {
    # Saving an existing draft needs the version it was based on (checked before the page is looked up).
    "POST /api/projects/{project_id}/docs/edit/save": {"base_version": 1},
}
# Path parameters of routes that are not ids (an unknown id is fine: access is checked first).
PATH_VALUES = {"number": "1", "name": "knowledge_base"}

STEP_BELOW = {
    Need.platform_admin: "manager",
    Need.manager: "editor",
    Need.editor: "viewer",
    Need.viewer: "outsider",
    Need.person: "key",
}
# What the core answers the caller one step below, by need: (REST status, code).
REFUSAL = {
    Need.platform_admin: (403, "platform_admin_only"),
    Need.manager: (403, "role_too_low"),
    Need.editor: (403, "role_too_low"),
    Need.viewer: (404, "project_not_found"),
    Need.person: (403, "user_only"),
}


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def example(schema: dict[str, Any], defs: dict[str, Any], name: str = "") -> Any:
    """A value valid for ``schema``: the least one, or the field's entry in FIELD_VALUES."""
    schema = _resolve(schema, defs)
    if name in FIELD_VALUES and schema.get("type") in ("string", None) and "enum" not in schema:
        return FIELD_VALUES[name]
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [o for o in schema[key] if _resolve(o, defs).get("type") != "null"]
            return example(options[0], defs, name)
    kind = schema.get("type")
    if (
        kind == "object"
        and isinstance(schema.get("additionalProperties"), dict)
        and not schema.get("properties")
    ):
        return {"en": example(schema["additionalProperties"], defs)}  # maps are keyed by locale
    if kind == "object":
        props = schema.get("properties", {})
        # A page is addressed by path when nothing requires a slug (the page handle's either/or rule).
        wanted = [*schema.get("required", []), *(["path"] if "path" in props else [])]
        return {field: example(props[field], defs, field) for field in dict.fromkeys(wanted)}
    if kind == "array":
        count = schema.get("minItems", 0)
        return [example(schema.get("items", {}), defs, name) for _ in range(count)]
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), 1)
    if kind == "number":
        return max(float(schema.get("minimum", 1)), 1.0)
    if kind == "boolean":
        return False
    if kind == "string":
        length = max(schema.get("minLength", 1), 1)
        return ("x" * length)[: schema.get("maxLength", length)]
    return None


def valid_input(model: type[BaseModel], key: str, fixed: dict[str, Any]) -> dict[str, Any]:
    schema = model.model_json_schema()
    value = {**example(schema, schema.get("$defs", {})), **SAMPLES.get(key, {})}
    value.update({k: v for k, v in fixed.items() if k in schema.get("properties", {})})
    try:
        model.model_validate(value)
    except ValidationError as error:  # pragma: no cover - tells the next author what to add
        pytest.fail(f"{key}: cannot build a valid input ({error}); add one to SAMPLES")
    return value


@dataclass
class Callers:
    """Bearer tokens per person (and read-only ones), and a real API key of the world's project."""

    world: World
    key: dict[str, str]

    def headers(self, who: str) -> dict[str, str]:
        return self.key if who == "key" else bearer(who)


def token_table(world: World) -> FixedTokens:
    def read_only(principal: Principal) -> Principal:
        return replace(principal, scopes=frozenset({SCOPE_READ}))

    people = {
        "manager": world.manager,
        "editor": world.editor,
        "viewer": world.viewer,
        "outsider": world.outsider,
        "admin": world.admin,
    }
    return FixedTokens(
        {
            **people,
            "read-only-manager": read_only(world.manager),
            "read-only-admin": read_only(world.admin),
        }
    )


def reader_for(rule: Rule) -> str:
    """A read-only token of someone who has the need, so only the scope can refuse them."""
    return "read-only-admin" if rule.need is Need.platform_admin else "read-only-manager"


@pytest.fixture
def server(settings: Settings, world: World) -> Iterator[LiveServer]:
    settings = settings.model_copy(update={"rate_limit_mcp": 100_000, "rate_limit_auth_failures": 100_000})
    with serve(build_app(settings, token_table(world))) as live:
        yield live


@pytest.fixture
async def callers(world: World) -> Callers:
    created = await world.core.keys.create_key(
        world.manager, world.project_id, KeyCreate(name="ci", role="manager")
    )
    return Callers(world, key_headers(created.key, world.project_id))


def _fixed(world: World) -> dict[str, Any]:
    return {"project_id": world.project_id, "project_name": world.project_name}


# -- MCP -------------------------------------------------------------------------------------------------


async def _call_tool(
    server: LiveServer, headers: dict[str, str], spec: ToolSpec[Any], args: dict[str, Any]
) -> Any:
    async with mcp_client(server.mcp_url, headers) as client:
        return await client.call_tool(spec.name, args)


async def test_every_tool_refuses_one_step_too_low_and_read_only(
    server: LiveServer, callers: Callers
) -> None:
    world = callers.world
    for spec in TOOLS:
        rule = spec.rule
        args = valid_input(spec.input, spec.name, _fixed(world))
        if rule.need in STEP_BELOW:
            result = await _call_tool(server, callers.headers(STEP_BELOW[rule.need]), spec, args)
            _, code = REFUSAL[rule.need]
            assert result.is_error, (spec.name, result)
            assert result.structured_content["code"] == code, (spec.name, result.structured_content)
            if code == "role_too_low":
                assert result.structured_content["required_role"] == rule.need.value, spec.name
        result = await _call_tool(server, bearer(reader_for(rule)), spec, args)
        refused = result.is_error and (result.structured_content or {}).get("code") == "read_only_scope"
        assert refused == rule.writes, (spec.name, rule, result.structured_content)


# -- REST ------------------------------------------------------------------------------------------------


def _request(spec: RouteSpec, world: World) -> tuple[str, dict[str, Any] | None, dict[str, Any]]:
    key = f"{spec.method} {spec.path}"
    url = spec.path
    for name in spec.path_params:
        value = world.project_id if name == "project_id" else PATH_VALUES.get(name, f"{name}_missing")
        url = url.replace("{" + name + "}", value)
    body = valid_input(spec.body, key, _fixed(world)) if spec.body is not None else None
    query: dict[str, Any] = {}
    if spec.query is not None and not spec.body_or_query:
        schema = spec.query.model_json_schema(by_alias=True)
        query = example(schema, schema.get("$defs", {}))
        spec.query.model_validate(query)
    return url, body, query


async def test_every_route_refuses_one_step_too_low_and_read_only(
    server: LiveServer, callers: Callers
) -> None:
    world = callers.world
    assert ROUTES and all(spec.rule is not None for spec in ROUTES)
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as http:
        for spec in ROUTES:
            rule = spec.rule
            assert rule is not None
            url, body, query = _request(spec, world)
            where = f"{spec.method} {spec.path}"
            if rule.need in STEP_BELOW:
                response = await http.request(
                    spec.method, url, json=body, params=query, headers=callers.headers(STEP_BELOW[rule.need])
                )
                status, code = REFUSAL[rule.need]
                assert response.status_code == status, (where, response.text)
                if spec.method != "HEAD":  # a HEAD answer has the status and no body
                    assert response.json()["code"] == code, (where, response.text)
                    if code == "role_too_low":
                        assert response.json()["required_role"] == rule.need.value, where
            response = await http.request(
                spec.method, url, json=body, params=query, headers=bearer(reader_for(rule))
            )
            if spec.method == "HEAD":
                refused = response.status_code == 403
            else:
                refused = response.status_code == 403 and response.json().get("code") == "read_only_scope"
            assert refused == rule.writes, (where, rule, response.status_code, response.text)
