"""What ``/mcp`` refuses before the MCP SDK sees a request, each answered in JSON.

The SDK answers some refusals in plain text (a bad ``Host`` 421, a bad ``Origin`` 403, a wrong
``Content-Type`` 400) and a malformed message with a dump of its internal union of message types.
Here the same decisions — the SDK's own DNS-rebinding check, configured by ``transport_security`` —
are answered as ``{"error", "code"}`` bodies, and a body that is not one JSON-RPC message gets a
JSON-RPC error a person can act on. Only then is the request handed on, its body replayed.
"""

from __future__ import annotations

from typing import Any

from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecurityMiddleware, TransportSecuritySettings
from mcp_types import INVALID_REQUEST, PARSE_ERROR, jsonrpc_message_adapter
from pydantic import ValidationError
from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

from comstack_core.errors import InvalidInput

from .auth import send_json
from .strict_json import MAX_JSON_DEPTH, strict_json

# The SDK's status for each transport refusal -> our code and message (the request's value filled in).
TRANSPORT_REFUSALS = {
    400: ("unsupported_content_type",
          "POST /mcp takes one JSON-RPC message: send it with Content-Type: application/json (not {value!r})."),
    421: ("misdirected_request",
          "Host {value!r} is not this server: /mcp answers only for its public URL's host and loopback "
          "(DNS-rebinding protection). Use the MCP URL the server prints."),
    403: ("forbidden_origin",
          "Origin {value!r} may not call /mcp: only this server's own origin and loopback may "
          "(DNS-rebinding protection)."),
}
TRANSPORT_HEADERS = {400: "content-type", 421: "host", 403: "origin"}

BATCH = "Batch requests are not supported: send one JSON-RPC message per POST /mcp."
NOT_A_MESSAGE = ('Invalid Request: a JSON-RPC 2.0 message is an object with "jsonrpc": "2.0" and a "method" '
                 '(a request also has an "id"), or a response to a request of this server.')


class TransportCheck:
    """The SDK's check, remembered for the header values it let through: its answer depends on nothing
    else, and the same few clients send the same values on every request. Refusals are not remembered,
    so each one is still logged by the SDK."""

    def __init__(self, settings: TransportSecuritySettings, *, max_remembered: int = 1024) -> None:
        self.sdk = TransportSecurityMiddleware(settings)
        self.max_remembered = max_remembered
        self._passed: set[tuple[bytes | None, ...]] = set()

    async def refusal(self, request: Request) -> tuple[int, dict[str, object]] | None:
        """(status, JSON body) when the SDK would refuse this POST's headers, else None."""
        checked = _checked_headers(request.scope)
        if checked in self._passed:
            return None
        response = await self.sdk.validate_request(request, is_post=True)
        if response is None:
            if len(self._passed) >= self.max_remembered:
                self._passed.clear()
            self._passed.add(checked)
            return None
        code, message = TRANSPORT_REFUSALS.get(
            response.status_code, ("forbidden", "This request may not call /mcp: {value!r}."))
        value = request.headers.get(TRANSPORT_HEADERS.get(response.status_code, "host"), "")
        return response.status_code, {"error": message.format(value=value), "code": code}


_CHECKED = (b"content-type", b"host", b"origin")


def _checked_headers(scope: Scope) -> tuple[bytes | None, ...]:
    """The values the SDK's check reads, each found as Starlette's ``headers.get`` finds it: the first header
    whose raw name equals the lower-case name (ASGI servers send names in lower case)."""
    found: dict[bytes, bytes] = {}
    for name, value in scope.get("headers", []):
        if name in _CHECKED and name not in found:
            found[name] = value
    return tuple(found.get(name) for name in _CHECKED)


def message_error(body: bytes) -> dict[str, Any] | None:
    """A JSON-RPC error response when ``body`` is not one JSON-RPC message, else None."""
    try:
        # The REST bodies' rule: a key given twice, NaN, or nesting past the limit is refused, not guessed
        # at (the envelope adds two levels above a tool's arguments).
        raw = strict_json(body, max_depth=MAX_JSON_DEPTH + 2)
    except InvalidInput as error:
        return _error(None, PARSE_ERROR, f"Parse error: {error.message}")
    if isinstance(raw, list):
        return _error(None, INVALID_REQUEST, BATCH)
    if plainly_a_request(raw):
        return None
    try:
        jsonrpc_message_adapter.validate_python(raw, by_name=False)
    except ValidationError:
        given = raw.get("id") if isinstance(raw, dict) else None
        return _error(given if isinstance(given, str | int) and not isinstance(given, bool) else None,
                      INVALID_REQUEST, NOT_A_MESSAGE)
    return None


def plainly_a_request(raw: Any) -> bool:
    """Whether ``raw`` is a JSON-RPC request or notification whose members all have their plain types, which the
    SDK's message validation accepts (as a request, or a notification when there is no id); the validation,
    which tries each kind of message in turn, is left for everything else."""
    if type(raw) is not dict or raw.get("jsonrpc") != "2.0" or type(raw.get("method")) is not str:
        return False
    params = raw.get("params")
    return (params is None or type(params) is dict) and ("id" not in raw or type(raw["id"]) in (int, str))


def _error(request_id: str | int | None, code: int, message: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}}


async def read_body(receive: Receive) -> bytes:
    """The whole request body (the body-limit middleware stops it at the route's limit)."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands over ``body`` once, then waits on the real one (for a disconnect)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


async def forward(manager: StreamableHTTPSessionManager | None, scope: Scope, receive: Receive, send: Send) -> None:
    """Hand one POSTed message to the SDK's manager, once it is running and the body is one JSON-RPC message
    (each refusal answered in JSON)."""
    if manager is None:
        await send_json(send, 503, {"error": "The MCP server is starting or stopping; retry shortly.",
                                    "code": "unavailable"})
        return
    body = await read_body(receive)
    invalid = message_error(body)
    if invalid is not None:
        await send_json(send, 400, invalid)
        return
    await manager.handle_request(scope, replay(body, receive), send)
