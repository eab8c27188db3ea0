"""The page preview's HTTP answer: the core's HTML document, served sandboxed."""

from __future__ import annotations

from starlette.responses import HTMLResponse

# The preview is served from the API's own origin: a sandbox without allow-same-origin gives a
# custom page's scripts an opaque origin, so they run but cannot reach the API or its credentials.
PREVIEW_HEADERS = {
    "Content-Security-Policy": "sandbox allow-scripts allow-popups allow-forms",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}


def preview_response(html: str) -> HTMLResponse:
    return HTMLResponse(html, headers=PREVIEW_HEADERS)
