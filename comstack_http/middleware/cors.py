"""CORS for the browser extension, on the ingest routes only (SPEC §12).

The extension's pages run at ``chrome-extension://<id>`` and call ``/api/projects/{id}/ingest/...``
with an API key header, so the browser sends a preflight first. Those routes, and no others, answer it
for extension origins: any extension by default, or only the ids in ``COMSTACK_INGEST_EXTENSION_IDS``.
No web origin gets CORS anywhere, so a web page cannot call the API with a user's stored key. Placed
outermost, so the body-limit 413 and the rate-limit 429 of an ingest route reach the extension readable.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Sequence

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from . import route_path

INGEST_PATH = re.compile(r"/api/projects/[^/]+/ingest(/.*)?")
# Chrome's ids are 32 letters a-p; other Chromium browsers' ids are also lowercase letters and digits.
ANY_EXTENSION = r"chrome-extension://[a-z0-9]+"


def extension_origins(extension_ids: Sequence[str]) -> str:
    """The origin pattern for the allowed extensions (a full match)."""
    if not extension_ids:
        return ANY_EXTENSION
    return "chrome-extension://(?:" + "|".join(re.escape(i) for i in extension_ids) + ")"


class IngestCorsMiddleware:
    def __init__(self, app: ASGIApp, *, extension_ids: Sequence[str] = ()) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origin_regex=extension_origins(extension_ids),
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["content-type", "x-api-key", "x-project-id", "authorization"],
            max_age=600,
        )

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # Not a coroutine: it hands back the next layer's, so the layer adds no frame to every await below.
        if scope["type"] == "http" and "/ingest" in scope["path"] and INGEST_PATH.fullmatch(route_path(scope)):
            return self.cors(scope, receive, send)
        return self.app(scope, receive, send)
