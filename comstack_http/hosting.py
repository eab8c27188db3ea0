"""Hosting the published sites: ``/sites/{project_slug}/…`` and, for verified custom domains, by ``Host``.

Files come from the project's ``current`` deployment, resolved once per request, so a reader gets the old
site or the new one. Conditional GET by ETag; the site's own ``404.html`` for missing pages.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Awaitable
from pathlib import Path
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from .middleware import is_foreign, request_host
from .reader_endpoint import WELL_KNOWN, ReaderEndpoint
from .runtime import Runtime

READER_PATHS = frozenset({"/mcp", "/mcp/", *(f"/{path}" for path in WELL_KNOWN)})

HASHED_ASSET_CACHE = "public, max-age=31536000, immutable"
PAGE_CACHE = "no-cache"
# Sites under /sites/ share this server's origin with the API and the sign-in pages. Custom pages run
# their own scripts, so they are sandboxed into an opaque origin: they keep working but can never act
# with a signed-in person's session (public site data is readable cross-origin, see CORS below).
SANDBOX = (
    "sandbox allow-scripts allow-forms allow-popups allow-popups-to-escape-sandbox "
    "allow-top-navigation-by-user-activation"
)
TYPES = {
    ".md": "text/markdown; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/xml",
    ".json": "application/json",
    ".woff2": "font/woff2",
}


def resolve(root: Path, rel: str) -> tuple[Path | None, str | None]:
    """(file to send, or None) and (a redirect target for a directory URL without its slash, or None)."""
    parts = [p for p in rel.split("/") if p]
    if any(p.startswith(".") or "\\" in p or "\x00" in p for p in parts):
        return None, None
    target = root.joinpath(*parts)
    if rel == "" or rel.endswith("/"):
        target = target / "index.html"
    elif target.is_dir():
        return None, "/" + rel + "/"
    try:
        if target.is_file() and target.resolve().is_relative_to(root.resolve()):
            return target, None
    except OSError:
        pass
    return None, None


def relative_redirect(request: Request) -> Response:
    """308 to the same URL with a trailing slash, as a path: the Host header never goes into Location (a
    forged one would send readers elsewhere), and leading slashes are folded so ``//host`` cannot form."""
    location = "/" + request.url.path.lstrip("/") + "/"
    if request.url.query:
        location += "?" + request.url.query
    return RedirectResponse(location, status_code=308)


def etag_of(path: Path) -> str:
    stat = path.stat()
    return f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'


def send_file(request: Request, root: Path, rel: str, *, sandbox: bool) -> Response:
    path, redirect = resolve(root, rel)
    headers = {"access-control-allow-origin": "*", "x-content-type-options": "nosniff"}
    if sandbox:
        headers["content-security-policy"] = SANDBOX
    if redirect is not None:
        return relative_redirect(request)
    status = 200
    if path is None:
        path, status = root / "404.html", 404
        if not path.is_file():
            return JSONResponse({"error": f"No page at {request.url.path}.", "code": "not_found"},
                                status_code=404, headers=headers)
    etag = etag_of(path)
    headers["etag"] = etag
    headers["cache-control"] = HASHED_ASSET_CACHE if "/assets/" in f"/{rel}" and status == 200 else PAGE_CACHE
    if status == 200 and etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    media = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if media.startswith("text/html"):
        media = "text/html; charset=utf-8"
    return FileResponse(path, status_code=status, headers=headers, media_type=media)


async def serve_by_slug(request: Request) -> Response:
    core = request.app.state.runtime.core
    root = await core.hosting.locate(slug=request.path_params["project_slug"])
    if root is None:
        return JSONResponse({"error": f"No published site at /sites/{request.path_params['project_slug']}/: "
                                      "publish the project first.", "code": "site_not_found"}, status_code=404)
    if "path" not in request.path_params:
        return relative_redirect(request)
    return send_file(request, root, request.path_params["path"], sandbox=True)


def hosting_routes() -> list[Route]:
    return [
        Route("/sites/{project_slug}", serve_by_slug, methods=["GET", "HEAD"]),
        Route("/sites/{project_slug}/{path:path}", serve_by_slug, methods=["GET", "HEAD"]),
    ]


class CustomDomains:
    """Requests whose Host is a verified custom domain get that project's site; the rest go on."""

    def __init__(self, app: ASGIApp, *, runtime: Runtime, reader: ReaderEndpoint | None = None) -> None:
        self.app = app
        self.runtime = runtime
        self.reader = reader
        self.own_host = (urlsplit(runtime.settings.public_url).hostname or "").lower()

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # Not a coroutine: requests for this server's own host get the next layer's, so the layer adds no
        # frame to every await below.
        reader = self.reader is not None and scope["type"] == "http" and scope["path"] in READER_PATHS
        if scope["type"] != "http" or (scope.get("method") not in ("GET", "HEAD") and not reader):
            return self.app(scope, receive, send)
        host = request_host(scope)
        if not is_foreign(host, self.own_host):
            return self.app(scope, receive, send)
        return self.foreign(scope, receive, send, host=host, reader=reader)

    async def foreign(self, scope: Scope, receive: Receive, send: Send, *, host: str, reader: bool) -> None:
        """A request naming a host that may be a custom domain: its site, or the app when it is none."""
        root = await self.runtime.core.hosting.locate(host=host)
        if root is None:
            await self.app(scope, receive, send)
            return
        if reader and self.reader is not None:  # the site's MCP server and its discovery documents
            await self.reader.handle(scope, receive, send, host=host)
            return
        request = Request(scope, receive)
        response = send_file(request, root, scope["path"].lstrip("/"), sandbox=False)
        await response(scope, receive, send)


__all__ = ["CustomDomains", "hosting_routes"]
