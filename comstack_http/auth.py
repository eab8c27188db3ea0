"""One auth layer for both doors: credentials on the request become the core's Principal.

``AuthMiddleware`` runs for every HTTP request. It reads ``x-api-key`` + ``x-project-id`` or an
``Authorization: Bearer`` token, resolves them through the core (or the pluggable token verifier the
OAuth server provides), and stores the Principal in ``scope["state"]["principal"]`` (None when the
request carries no credentials). Invalid credentials are answered 401 here, once, for REST and /mcp
alike. Routes and tools read the principal with :func:`principal_of` / :func:`require_principal`.
"""

from __future__ import annotations

import json

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from comstack_core import Principal
from comstack_core.auth import Door
from comstack_core.errors import DomainError, Unauthenticated
from comstack_core.live.sessions import is_session_token

from .runtime import Runtime


def door_for(path: str) -> Door:
    return "mcp" if path == "/mcp" or path.startswith("/mcp/") else "rest"


def resource_metadata_url(public_url: str) -> str:
    return public_url.rstrip("/") + "/.well-known/oauth-protected-resource/mcp"


def unauthenticated_headers(public_url: str) -> list[tuple[bytes, bytes]]:
    value = f'Bearer resource_metadata="{resource_metadata_url(public_url)}"'
    return [(b"www-authenticate", value.encode())]


async def send_json(
    send: Send, status: int, body: dict[str, object], headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


class AuthMiddleware:
    def __init__(self, app: ASGIApp, *, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})
        try:
            principal = await self.resolve(scope)
        except DomainError as error:
            status = 401 if isinstance(error, Unauthenticated) else 403
            await send_json(
                send, status, error.to_dict(), unauthenticated_headers(self.runtime.settings.public_url)
            )
            return
        # What the principal may do is the core's to decide (a read-only credential is refused by every
        # use case that writes), for REST and /mcp alike.
        scope["state"]["principal"] = principal
        await self.app(scope, receive, send)

    async def resolve(self, scope: Scope) -> Principal | None:
        found = credential_headers(scope)
        door = door_for(scope.get("path", ""))
        api_key = found.get(b"x-api-key")
        if api_key:
            return await self.runtime.core.keys.authenticate(
                api_key.strip(), found.get(b"x-project-id", "").strip() or None, door=door
            )
        authorization = found.get(b"authorization", "")
        if authorization:
            scheme, _, token = authorization.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise Unauthenticated(
                    "Use 'Authorization: Bearer <token>' or the x-api-key header.",
                    code="invalid_authorization",
                )
            if is_session_token(token.strip()):
                # A voice session's token is no credential of a person or key: the live session routes
                # check it themselves, and everywhere else the request is unauthenticated.
                return None
            verifier = self.runtime.token_verifier
            if verifier is None:
                raise Unauthenticated(
                    "Bearer tokens are not accepted by this server; use an API key.", code="invalid_token"
                )
            return await verifier.verify(token.strip(), door=door)
        return None


_CREDENTIAL_HEADERS = frozenset({b"x-api-key", b"x-project-id", b"authorization"})


def credential_headers(scope: Scope) -> dict[bytes, str]:
    """The credential headers of the request (the last one of a name given twice), read in one pass
    without decoding the others."""
    found: dict[bytes, str] = {}
    for name, value in scope.get("headers", []):
        lowered = name.lower()
        if lowered in _CREDENTIAL_HEADERS:
            found[lowered] = value.decode("latin-1")
    return found


def principal_of(request: HTTPConnection) -> Principal | None:
    return getattr(request.state, "principal", None)


def require_principal(request: HTTPConnection) -> Principal:
    principal = principal_of(request)
    if principal is None:
        raise Unauthenticated(
            "Authentication required: send x-api-key + x-project-id headers, or an OAuth bearer token.",
            code="unauthenticated",
        )
    return principal
