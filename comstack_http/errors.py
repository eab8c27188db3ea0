"""The REST door's one error table: domain error class -> HTTP status, body ``error.to_dict()``.

Starlette looks handlers up along the exception's MRO, so ``Forbidden`` serves ProjectMismatch,
ModuleDisabled, TrialExpired and QuotaExceeded alike. Anything unexpected is logged with a reference
id, and the caller sees only that id.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from comstack_core.errors import (
    Conflict,
    DailyQuotaExceeded,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    Unauthenticated,
)
from comstack_core.images.errors import UploadChecksumMismatch, UploadGone

from .auth import resource_metadata_url

logger = logging.getLogger("comstack.http")

ExceptionHandler = Callable[[Request, Exception], Awaitable[Response]]

STATUS_BY_ERROR: dict[type[DomainError], int] = {
    # A domain error without a more specific class is still the caller's call being refused.
    DomainError: 400,
    InvalidInput: 400,
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    PayloadTooLarge: 413,
    DailyQuotaExceeded: 429,
    RateLimited: 429,
    # tus 1.0: a chunk whose checksum differs is 460, an expired upload 410 Gone.
    UploadChecksumMismatch: 460,
    UploadGone: 410,
}

_HTTP_CODES = {
    400: "invalid_input",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    429: "rate_limited",
}


def status_for(error: DomainError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 400


def _public_url(request: Request) -> str:
    runtime = getattr(request.app.state, "runtime", None)
    return runtime.settings.public_url if runtime is not None else str(request.base_url)


def _headers(request: Request, error: DomainError) -> dict[str, str]:
    headers: dict[str, str] = {}
    if isinstance(error, Unauthenticated):
        headers["WWW-Authenticate"] = (
            f'Bearer resource_metadata="{resource_metadata_url(_public_url(request))}"'
        )
    if "/images/uploads" in request.url.path:
        headers["Tus-Resumable"] = "1.0.0"  # tus: on every answer, errors included
    retry_after = error.details.get("retry_after")
    if isinstance(error, RateLimited | DailyQuotaExceeded) and retry_after is not None:
        headers["Retry-After"] = str(max(1, round(float(retry_after))))
    return headers


async def domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    return JSONResponse(exc.to_dict(), status_code=status_for(exc), headers=_headers(request, exc))


def _field(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "body"


async def validation_error(request: Request, exc: Exception) -> Response:
    """A request that does not fit its model: one line per problem, naming the field."""
    assert isinstance(exc, ValidationError)
    problems = [{"field": _field(e["loc"]), "message": e["msg"], "type": e["type"]} for e in exc.errors()]
    message = "Invalid input: " + "; ".join(f"{p['field']}: {p['message']}" for p in problems) + "."
    return JSONResponse({"error": message, "code": "invalid_input", "problems": problems}, status_code=400)


_METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app answers on this path. Starlette's 405 names only the methods of
    the first route whose path matched, while a path is often served by several (one per method)."""
    path = request.scope.get("path", "")
    methods: set[str] = set()
    for route in request.app.router.routes:
        if isinstance(route, Route) and route.methods and route.path_regex.match(path):
            methods |= route.methods
    order = {method: place for place, method in enumerate(_METHOD_ORDER)}
    return sorted(methods, key=lambda method: (order.get(method, len(order)), method))


async def http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own refusals (unknown route, wrong method) in the same JSON shape as ours."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        message = f"No route {request.method} {request.url.path}; GET /openapi.json lists every route."
    elif exc.status_code == 405:
        allow = allowed_methods(request)
        exc.headers = {**(exc.headers or {}), "Allow": ", ".join(allow)}
        message = f"{request.method} is not allowed on {request.url.path}; it takes {', '.join(allow)}."
    else:
        message = str(exc.detail)
    if exc.status_code < 200 or exc.status_code in (204, 304):
        return Response(status_code=exc.status_code, headers=exc.headers)
    code = _HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
    return JSONResponse({"error": message, "code": code}, status_code=exc.status_code, headers=exc.headers)


def internal_error_response(request: Request, exc: BaseException) -> Response:
    reference = uuid.uuid4().hex[:12]
    logger.error(
        "internal error, reference %s, on %s %s",
        reference,
        request.method,
        request.url.path,
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    return JSONResponse(
        {"error": f"internal error, reference {reference}", "code": "internal_error", "reference": reference},
        status_code=500,
    )


async def internal_error(request: Request, exc: Exception) -> Response:
    return internal_error_response(request, exc)


def exception_handlers() -> dict[Any, ExceptionHandler]:
    handlers: dict[Any, ExceptionHandler] = dict.fromkeys(STATUS_BY_ERROR, domain_error)
    handlers[ValidationError] = validation_error
    handlers[HTTPException] = http_error
    # Starlette hands the Exception entry to its outermost ServerErrorMiddleware.
    handlers[Exception] = internal_error
    return handlers
