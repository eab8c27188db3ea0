"""The browser voice page, ``/live/{project slug}``, and its two assets.

Served from the API's origin (the page calls the live-voice routes) under a strict Content-Security-Policy:
the page's own script and style only, no inline code, requests to this origin only.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from comstack_core import Core
from comstack_core.errors import NotFound
from comstack_core.live.web import ASSETS, asset_path, render_voice_page

PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; media-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


async def voice_page(request: Request) -> Response:
    core: Core = request.app.state.runtime.core
    try:
        page = await core.live.voice_page(request.path_params["project_slug"])
    except NotFound as error:
        return HTMLResponse(
            f"<!doctype html><title>Not found</title><p>{error.message}</p>",
            status_code=404,
            headers={"X-Content-Type-Options": "nosniff"},
        )
    return HTMLResponse(render_voice_page(page), headers=PAGE_HEADERS)


async def voice_asset(request: Request) -> Response:
    name = request.path_params["name"]
    path = asset_path(name)
    if path is None:
        return JSONResponse(
            {
                "error": f"The voice page has no asset {name!r}: its assets are {', '.join(sorted(ASSETS))}.",
                "code": "not_found",
            },
            status_code=404,
        )
    return FileResponse(
        path,
        media_type=ASSETS[name],
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )


def voice_page_routes() -> list[Route]:
    return [
        Route("/live/assets/{name}", voice_asset, methods=["GET", "HEAD"]),
        Route("/live/{project_slug}", voice_page, methods=["GET", "HEAD"]),
    ]
