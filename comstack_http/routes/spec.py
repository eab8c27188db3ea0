"""The route table as data, and the one adapter that turns a ``RouteSpec`` into a Starlette ``Route``.

A spec names the input models (JSON body, query string), the output type and the core use case the
handler calls (whose declaration says who may call it); the adapter parses
with them, the handler makes one service call, and the adapter serializes the result through the
declared output type. ``openapi.py`` reads the same specs, so the document cannot drift from what
the handlers accept and return.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from comstack_core import Core, Principal
from comstack_core.errors import DomainError, InvalidInput
from comstack_core.schemas.base import QUERY_STRING
from comstack_core.usecases import Rule, rule_of

from ..auth import require_principal
from ..errors import internal_error_response
from ..strict_json import MAX_JSON_DEPTH, strict_json

M = TypeVar("M", bound=BaseModel)
Handler = Callable[["Call"], Awaitable[Any]]

_PATH_PARAM = re.compile(r"{(\w+)}")
# Integers reach SQL; past 64 bits the drivers fail, so path integers are bounded like a 32-bit column.
MAX_INT = 2**31 - 1

# Path parameters by name, shared by every route that uses them: (JSON schema, description).
PATH_PARAMS: dict[str, tuple[dict[str, Any], str]] = {
    "project_id": ({"type": "string"}, "The project's id (from GET /api/projects)."),
    "path": ({"type": "string"}, "The page's stable id ('path' in page listings)."),
    "number": (
        {"type": "integer", "minimum": 1, "maximum": MAX_INT},
        "Revision number (from the page's revisions).",
    ),
    "user_id": ({"type": "string"}, "The member's user id."),
    "domain_id": ({"type": "string"}, "The domain's id."),
    "key_id": ({"type": "string"}, "The API key's id (not the key itself)."),
    "name": ({"type": "string"}, "Module name, e.g. 'knowledge_base'."),
    "group_id": ({"type": "string"}, "The sidebar group's id."),
    "item_id": ({"type": "string"}, "The header navigation item's id."),
    "template_id": ({"type": "string"}, "The template's id, e.g. 'docs'."),
    "publish_id": ({"type": "string"}, "The publish's id (from publish/confirm or the history)."),
    "image_id": ({"type": "string"}, "The image's id, e.g. 'img_...'."),
    "upload_id": ({"type": "string"}, "The resumable upload's id (the last segment of its Location)."),
    "file": ({"type": "string"}, "An image's file name, 'img_....ext' (the end of its url)."),
    "capture_id": ({"type": "string"}, "The capture's id, 'cap_...' (from ingest/capture)."),
    "session_id": ({"type": "string"}, "The voice session's id (from the project's voice sessions)."),
}


@dataclass(frozen=True)
class RouteSpec:
    """One REST operation. ``response`` is any type pydantic can serialize (a model, ``list[Model]``)."""

    method: str
    path: str
    handler: Handler
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: Any = None
    status: int = 200
    auth: bool = True
    # Non-JSON answers (preview HTML, Prometheus text): the handler returns a Response itself.
    media_type: str = "application/json"
    # The name echo of a DELETE may come as a JSON body or as query parameters (DELETE bodies are
    # dropped by some clients and proxies); both parse into ``body``.
    body_or_query: bool = False
    extra_errors: tuple[int, ...] = field(default=())
    # The core service method the handler calls: its declaration (``@use_case``) says who may call the
    # route and whether it writes, for the OpenAPI document. Every authenticated route names one.
    uses: Callable[..., Any] | None = None

    def __post_init__(self) -> None:
        if self.auth and self.uses is None:
            raise ValueError(f"{self.method} {self.path}: an authenticated route names the use case it calls")

    @property
    def rule(self) -> Rule | None:
        return rule_of(self.uses) if self.uses is not None else None

    @property
    def path_params(self) -> list[str]:
        return _PATH_PARAM.findall(self.path)

    @property
    def operation_id(self) -> str:
        return self.handler.__name__

    @cached_property
    def response_adapter(self) -> TypeAdapter[Any] | None:
        return TypeAdapter(self.response) if self.response is not None else None


@dataclass
class Call:
    """What a handler receives: the parsed inputs and access to the core and the caller."""

    request: Request
    params: dict[str, Any]
    parsed_body: BaseModel | None
    parsed_query: BaseModel | None

    @property
    def core(self) -> Core:
        core: Core = self.request.app.state.runtime.core
        return core

    @property
    def principal(self) -> Principal:
        return require_principal(self.request)

    @property
    def project_id(self) -> str:
        return str(self.params["project_id"])

    def param(self, name: str) -> str:
        return str(self.params[name])

    def body(self, model: type[M]) -> M:
        assert isinstance(self.parsed_body, model), f"route declares no {model.__name__} body"
        return self.parsed_body

    def query(self, model: type[M]) -> M:
        assert isinstance(self.parsed_query, model), f"route declares no {model.__name__} query"
        return self.parsed_query


def decode_json_object(raw: bytes) -> dict[str, Any]:
    """A REST body: strict JSON (``strict_json``), and an object at the top; empty reads as ``{}``."""
    if not raw.strip():
        return {}
    data = strict_json(raw, max_depth=MAX_JSON_DEPTH)
    if not isinstance(data, dict):
        raise InvalidInput(
            f"The request body must be a JSON object, not {type(data).__name__}.", code="invalid_body"
        )
    return data


def _query_dict(spec: RouteSpec, request: Request) -> dict[str, str]:
    values: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        if key in values:
            raise InvalidInput(f"Query parameter {key!r} is given more than once.", code="invalid_query")
        values[key] = value
    # API routes refuse what they do not understand (a misspelt filter must not silently match all);
    # the ops routes stay lenient for probes and scrapers.
    if spec.query is None and values and spec.auth:
        raise InvalidInput(
            f"This route takes no query parameters (got {', '.join(sorted(values))}).", code="invalid_query"
        )
    return values


def _path_params(request: Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.path_params)
    for name, value in params.items():
        if "\x00" in value:  # %00 in a URL: no id contains it, and PostgreSQL cannot even compare it
            raise InvalidInput(f"Path parameter {name!r} contains a NUL character.", code="invalid_path")
        if PATH_PARAMS.get(name, ({},))[0].get("type") == "integer":
            try:
                params[name] = int(value)
            except ValueError:
                raise InvalidInput(
                    f"Path parameter {name!r} must be an integer, got {value!r}.", code="invalid_path"
                ) from None
            if not 1 <= params[name] <= MAX_INT:
                raise InvalidInput(
                    f"Path parameter {name!r} must be between 1 and {MAX_INT}.", code="invalid_path"
                )
    return params


def parse(spec: RouteSpec, request: Request, raw: bytes) -> Call:
    query_values = _query_dict(spec, request)
    parsed_query: BaseModel | None = None
    parsed_body: BaseModel | None = None
    if spec.body is not None:
        if spec.body_or_query and not raw.strip():
            parsed_body = spec.body.model_validate(query_values, context={QUERY_STRING: True})
        else:
            parsed_body = spec.body.model_validate(decode_json_object(raw))
    if spec.query is not None and not spec.body_or_query:
        parsed_query = spec.query.model_validate(query_values, context={QUERY_STRING: True})
    return Call(
        request=request, params=_path_params(request), parsed_body=parsed_body, parsed_query=parsed_query
    )


def render(spec: RouteSpec, result: Any) -> Response:
    if isinstance(result, Response):
        return result
    if spec.status == 204 or spec.response_adapter is None:
        return Response(status_code=spec.status)
    # Serialized through the declared type, so the wire format is exactly what OpenAPI documents;
    # warnings="error" turns a handler returning the wrong type into a logged 500, not silent drift.
    content = spec.response_adapter.dump_json(result, warnings="error")
    return Response(content, status_code=spec.status, media_type="application/json")


# Errors the exception table answers; anything else is unexpected and becomes a 500 right here,
# so it is logged once with its reference instead of travelling on to the server's own logger.
_EXPECTED = (DomainError, ValidationError, HTTPException)


def endpoint(spec: RouteSpec) -> Callable[[Request], Awaitable[Response]]:
    async def run(request: Request) -> Response:
        if spec.auth:
            principal = require_principal(request)  # 401 comes before any complaint about the input
            if spec.rule is not None:
                # So does what the credential alone decides (platform admin, API key, read-only): a caller
                # who may not call the route at all is told that, not how to fix a body it cannot send.
                spec.rule.check_credential(principal)
        # Read outside the 500 net: a failure while receiving (client gone, the body-limit middleware
        # stopping an oversized body) belongs to the transport layer that raised it, not to us.
        raw = await request.body() if spec.body is not None else b""
        try:
            call = parse(spec, request, raw)
            return render(spec, await spec.handler(call))
        except _EXPECTED:
            raise
        except Exception as error:
            return internal_error_response(request, error)

    run.__name__ = spec.operation_id
    return run


def to_route(spec: RouteSpec, middleware: list[Middleware] | None = None) -> Route:
    return Route(
        spec.path,
        endpoint(spec),
        methods=[spec.method],
        name=f"{spec.method} {spec.path}",
        middleware=middleware,
    )
