"""Request body limits of SPEC §15, enforced while the body streams in (never after buffering it)."""

from __future__ import annotations

import re
from typing import Protocol

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import route_path

_IMAGES = re.compile(r"/api/projects/[^/]+/images(/.*)?")
_CUSTOM_PAGE = re.compile(r"/api/projects/[^/]+/docs/edit/upload-custom-page/?")
_IMPORT = re.compile(r"/api/projects/[^/]+/import/?")
# A captured page's HTML may be 1 MB, which its JSON encoding exceeds; the core counts the HTML itself.
_INGEST_CAPTURE = re.compile(r"/api/projects/[^/]+/ingest/capture/?")
_INGEST_IMAGE = re.compile(r"/api/projects/[^/]+/ingest/captures/[^/]+/images/?")
_WEBHOOK = re.compile(r"/api/projects/[^/]+/git/webhook/?")


class BodyLimitSettings(Protocol):
    """What is read of ``comstack_core.Settings``; structural, so the middleware needs no core import."""

    max_body_bytes: int
    max_image_bytes: int
    max_large_body_bytes: int
    max_registration_bytes: int
    import_max_archive_bytes: int


class _BodyTooLarge(Exception):
    """Raised from the wrapped ``receive``; private so no app handler can mistake it for its own."""


class BodyLimitMiddleware:
    """413 as soon as a body is known to exceed its route's limit.

    A declared ``Content-Length`` above the limit is refused before a byte is read. Otherwise the
    wrapped ``receive`` counts bytes and raises instead of handing over the chunk that crosses the
    limit, so the app never holds more than the limit. Should the app swallow that exception and
    answer anyway, its answer is replaced by the 413; should it have started answering before the
    body ran over, the rest of its answer is dropped and the server aborts the response.
    """

    def __init__(self, app: ASGIApp, *, settings: BodyLimitSettings) -> None:
        self.app = app
        self.general = settings.max_body_bytes
        self.image = settings.max_image_bytes
        self.large = settings.max_large_body_bytes
        self.registration = settings.max_registration_bytes
        self.archive = settings.import_max_archive_bytes

    def limit_for(self, scope: Scope) -> int:
        path, method = route_path(scope), scope.get("method", "GET")
        match = _IMAGES.fullmatch(path)
        if match and (match.group(1) or method == "POST"):
            return self.image
        if method == "POST" and _INGEST_IMAGE.fullmatch(path):
            return self.image
        if method == "POST" and (
            path in ("/mcp", "/mcp/") or _CUSTOM_PAGE.fullmatch(path) or _INGEST_CAPTURE.fullmatch(path)
        ):
            return self.large
        if path == "/oauth/register":
            return self.registration  # open to anyone: a registration is a few hundred bytes
        if method == "POST" and _IMPORT.fullmatch(path):
            return self.archive
        if method == "POST" and _WEBHOOK.fullmatch(path):
            return self.large  # push events list every commit: more than the general limit on big pushes
        return self.general

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        declared = content_length(scope)
        if declared is not None and declared > limit:
            await self._too_large(scope, receive, send, limit)
            return

        received = 0
        exceeded = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                raise _BodyTooLarge
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                return  # the app caught _BodyTooLarge; its answer must not replace (or follow) the 413
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            # Whatever the app raised once the body ran over (ours, or its own wrapping of ours) is the 413.
            if not exceeded:
                raise
        if exceeded and not started:
            await self._too_large(scope, receive, send, limit)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = JSONResponse(
            {
                "error": f"Request body too large: the limit for this route is {limit} bytes.",
                "code": "payload_too_large",
            },
            status_code=413,
        )
        await response(scope, receive, send)


def content_length(scope: Scope) -> int | None:
    """The declared length, or None when absent or unreadable (the byte count then decides)."""
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None
