"""The OpenAPI 3.1 document, generated from the route table (``RouteSpec``s) and its pydantic models.

Bodies and query strings use each model's validation schema, answers its serialization schema,
all in one pydantic pass so shared models land once in ``components/schemas``. Error answers
reference ``ErrorBody``; which error statuses a route lists follows from what it takes and does.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from importlib import metadata
from typing import Any

from pydantic import TypeAdapter

from comstack_core.auth import SCOPE_FULL, SCOPE_READ
from comstack_core.usecases import Need, Rule

from .models import ErrorBody
from .openapi_doors import door_paths
from .openapi_parts import SCHEMAS as DOOR_SCHEMAS
from .openapi_parts import TAG as DOOR_TAG
from .spec import PATH_PARAMS, RouteSpec

REF = "#/components/schemas/{model}"
ERROR_REF = {"$ref": REF.format(model="ErrorBody")}

ERROR_DESCRIPTIONS = {
    400: "Missing or malformed input: bad JSON or UTF-8, wrong types, unknown fields, bad slugs.",
    401: "Authentication required, or the credentials are invalid.",
    403: "Role too low, API key of another project, module disabled, trial expired or quota reached.",
    404: "No such resource, or it is in a project you cannot see.",
    409: "Conflict: stale base_version (the body has current_version), duplicate, or wrong state.",
    410: "Gone: the resumable upload expired.",
    412: "Precondition failed: the request lacks 'Tus-Resumable: 1.0.0'.",
    413: "Payload too large.",
    415: "Unsupported media type: a tus PATCH carries application/offset+octet-stream.",
    429: "Rate limit or daily quota reached (see Retry-After).",
    460: "Checksum mismatch (tus): the chunk did not match Upload-Checksum; nothing was written.",
    500: "Internal error: the body carries a reference id; details are in the server log only.",
    503: "Not ready: the database is not reachable.",
}

ERROR_NAMES = {
    400: "InvalidInput",
    401: "Unauthenticated",
    403: "Forbidden",
    404: "NotFound",
    409: "Conflict",
    410: "Gone",
    412: "PreconditionFailed",
    413: "PayloadTooLarge",
    415: "UnsupportedMediaType",
    429: "TooManyRequests",
    460: "ChecksumMismatch",
    500: "InternalError",
    503: "NotReady",
}

API_KEY_AUTH: dict[str, list[str]] = {"apiKey": [], "projectId": []}

DESCRIPTION = (
    'ComStack\'s REST API. JSON in and out; every error is `{"error": <message>, "code": <machine code>, '
    "...details}`. Authenticate with a project API key (`x-api-key` + `x-project-id` headers) or an "
    "OAuth 2.1 bearer token (scope `comstack`, or `comstack:read` for reads only). Every permission check "
    "lives in the domain library shared with the MCP server, so both doors answer alike."
)


def _security_schemes(public_url: str) -> dict[str, Any]:
    base = public_url.rstrip("/")
    return {
        "apiKey": {
            "type": "apiKey",
            "in": "header",
            "name": "x-api-key",
            "description": "A project API key, 'cs_' + 40 characters. Send x-project-id with it.",
        },
        "projectId": {
            "type": "apiKey",
            "in": "header",
            "name": "x-project-id",
            "description": "The id of the project the API key belongs to.",
        },
        "oauth2": {
            "type": "oauth2",
            "description": "OAuth 2.1 with PKCE (S256); tokens are bound to this server.",
            "flows": {
                "authorizationCode": {
                    "authorizationUrl": f"{base}/oauth/authorize",
                    "tokenUrl": f"{base}/oauth/token",
                    "refreshUrl": f"{base}/oauth/token",
                    "scopes": {
                        SCOPE_FULL: "Full access (default).",
                        SCOPE_READ: "Read-only: the operations that change nothing.",
                    },
                }
            },
        },
    }


def _error_statuses(spec: RouteSpec) -> list[int]:
    statuses = {401, 500, *spec.extra_errors}
    if spec.auth:
        statuses |= {400, 403, 429}
        if spec.path_params:
            statuses.add(404)
        if spec.method != "GET":
            statuses.add(409)
    if spec.body is not None:
        statuses.add(413)
    if spec.query is not None or spec.path_params:
        statuses.add(400)
    return sorted(statuses)


def _query_parameters(spec: RouteSpec) -> list[dict[str, Any]]:
    if spec.query is None:
        return []
    schema = spec.query.model_json_schema(by_alias=True, ref_template=REF)
    required = set(schema.get("required", [])) if not spec.body_or_query else set()
    out = []
    for name, prop in schema.get("properties", {}).items():
        prop = _without_null(copy.deepcopy(prop))
        description = prop.pop("description", None)
        prop.pop("title", None)
        parameter: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": prop,
        }
        if description:
            parameter["description"] = description
        out.append(parameter)
    return out


def _without_null(prop: dict[str, Any]) -> dict[str, Any]:
    """An absent query parameter is the null; the string 'null' is not, so drop that branch."""
    variants = prop.get("anyOf")
    if variants and any(v == {"type": "null"} for v in variants):
        rest = [v for v in variants if v != {"type": "null"}]
        del prop["anyOf"]
        if len(rest) == 1:
            prop.update(rest[0])
        else:
            prop["anyOf"] = rest
        if prop.get("default", 0) is None:
            del prop["default"]
    return prop


def _path_parameters(spec: RouteSpec) -> list[dict[str, Any]]:
    out = []
    for name in spec.path_params:
        schema, description = PATH_PARAMS[name]
        out.append(
            {"name": name, "in": "path", "required": True, "schema": dict(schema), "description": description}
        )
    return out


def _success(spec: RouteSpec, schemas: Mapping[tuple[Any, Any], Any]) -> dict[str, Any]:
    if spec.status == 204:
        return {"description": "Done; no content."}
    if spec.response is not None:
        return {
            "description": "OK",
            "content": {"application/json": {"schema": schemas[(id(spec), "serialization")]}},
        }
    content_schema = {"type": "object"} if spec.media_type == "application/json" else {"type": "string"}
    return {"description": "OK", "content": {spec.media_type: {"schema": content_schema}}}


def _has_required(spec: RouteSpec) -> bool:
    assert spec.body is not None
    return not spec.body_or_query and any(f.is_required() for f in spec.body.model_fields.values())


def _operation(spec: RouteSpec, operation_id: str, schemas: Mapping[tuple[Any, Any], Any]) -> dict[str, Any]:
    operation: dict[str, Any] = {"operationId": operation_id, "summary": spec.summary, "tags": [spec.tag]}
    parameters = _path_parameters(spec) + _query_parameters(spec)
    if parameters:
        operation["parameters"] = parameters
    if spec.body is not None:
        operation["requestBody"] = {
            "required": _has_required(spec),
            "content": {"application/json": {"schema": schemas[(id(spec), "validation")]}},
        }
        if spec.body_or_query:
            operation["requestBody"]["description"] = (
                "Either this JSON body or the same fields as query parameters."
            )
    responses: dict[str, Any] = {str(spec.status): _success(spec, schemas)}
    for status in _error_statuses(spec):
        responses[str(status)] = {"$ref": f"#/components/responses/{ERROR_NAMES[status]}"}
    operation["responses"] = responses
    rule = spec.rule
    if rule is not None:
        # Who may call it and the scope it needs are the core use case's declaration.
        operation["description"] = access_note(rule)
        operation["x-comstack-access"] = {"need": rule.need.value, "writes": rule.writes}
        operation["security"] = [API_KEY_AUTH, {"oauth2": [SCOPE_FULL] if rule.writes else []}]
    else:
        operation["security"] = []
    return operation


_NEEDS = {
    Need.caller: "Any signed-in caller (user or API key).",
    Need.person: "A signed-in person (OAuth token); API keys are refused.",
    Need.viewer: "Needs the viewer role on the project.",
    Need.editor: "Needs the editor role on the project.",
    Need.manager: "Needs the manager role on the project.",
    Need.platform_admin: "Platform admins only.",
}


def access_note(rule: Rule) -> str:
    scope = (
        f"Changes data: needs the '{SCOPE_FULL}' scope; read-only tokens are refused."
        if rule.writes
        else f"Reads only: '{SCOPE_READ}' tokens may call it."
    )
    return f"{_NEEDS[rule.need]} {scope}"


def package_version() -> str:
    try:
        return metadata.version("comstack")
    except metadata.PackageNotFoundError:  # running from a source tree that is not installed
        return "0.0.0"


def build_openapi(
    specs: list[RouteSpec], *, public_url: str = "", version: str | None = None
) -> dict[str, Any]:
    inputs: list[tuple[Any, Any, TypeAdapter[Any]]] = [
        (("error", 0), "serialization", TypeAdapter(ErrorBody))
    ]
    for spec in specs:
        if spec.body is not None:
            inputs.append((id(spec), "validation", TypeAdapter(spec.body)))
        if spec.response is not None:
            inputs.append((id(spec), "serialization", TypeAdapter(spec.response)))
    schemas, defs = TypeAdapter.json_schemas(inputs, ref_template=REF)
    components = dict(defs.get("$defs", {}))
    for spec in specs:
        if spec.query is not None:
            components.update(spec.query.model_json_schema(by_alias=True, ref_template=REF).get("$defs", {}))

    paths: dict[str, dict[str, Any]] = {}
    used_ids: set[str] = set()
    for spec in specs:
        operation_id = spec.operation_id
        if operation_id in used_ids:  # the same handler behind PUT and PATCH
            operation_id = f"{operation_id}_{spec.method.lower()}"
        used_ids.add(operation_id)
        paths.setdefault(spec.path, {})[spec.method.lower()] = _operation(spec, operation_id, schemas)

    # The OAuth endpoints, /mcp, the sites and the voice page: described by hand, after the REST table.
    paths.update(door_paths())
    components.update(DOOR_SCHEMAS)
    tags = [*dict.fromkeys(spec.tag for spec in specs), DOOR_TAG]

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "ComStack API",
            "version": version or package_version(),
            "description": DESCRIPTION,
        },
        "servers": [{"url": public_url.rstrip("/") or "/"}],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(components.items())),
            "responses": {
                ERROR_NAMES[status]: {
                    "description": text,
                    "content": {"application/json": {"schema": ERROR_REF}},
                }
                for status, text in ERROR_DESCRIPTIONS.items()
            },
            "securitySchemes": _security_schemes(public_url),
        },
        "tags": [{"name": name} for name in tags],
    }
