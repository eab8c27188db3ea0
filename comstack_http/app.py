"""``create_app(settings)``: the one Starlette app serving REST, /mcp, OAuth and the sites."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator, Coroutine
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import RedirectResponse
from starlette.routing import Match, Router
from starlette.types import Receive, Scope, Send

from comstack_core import Core, Settings
from comstack_core.auth import TokenVerifier
from comstack_core.clock import Clock, utcnow
from comstack_core.runner_process import RunnerProcess

from .auth import AuthMiddleware
from .errors import exception_handlers
from .hosting import CustomDomains, hosting_routes
from .mcp_endpoint import McpEndpoint
from .middleware.bodylimit import BodyLimitMiddleware
from .middleware.clientip import ClientIPMiddleware
from .middleware.cors import IngestCorsMiddleware
from .middleware.ratelimit import RateLimitMiddleware, build_limiter
from .oauth import OAuthTokenVerifier, oauth_routes
from .reader_endpoint import ReaderEndpoint
from .routes import rest_routes
from .runtime import Runtime
from .voice_page import voice_page_routes


@asynccontextmanager
async def _background(job: Coroutine[Any, Any, None]) -> AsyncIterator[None]:
    """Run ``job`` for the app's lifetime (the publish runner, scheduled backups); cancel it on shutdown."""
    task = asyncio.create_task(job)
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def create_app(
    settings: Settings | None = None,
    *,
    core: Core | None = None,
    clock: Clock = utcnow,
    token_verifier: TokenVerifier | None = None,
    freeze_heap: bool = False,
    runner_process: bool = False,
) -> Starlette:
    """Build the app. The Core opens in the lifespan unless an opened one is passed (tests, embedding).

    ``freeze_heap`` (for a process that serves only this app, as ``comstack serve`` does): once started,
    move every object made so far out of the garbage collector's sight. The modules, models and
    compiled statements live as long as the process; without this each full collection walks all of
    them, which showed as 100 ms pauses under load (the p99 of the MCP benchmark).

    ``runner_process``: publish jobs and the dry run's check build run in a child process at a lower CPU
    priority (``comstack_core/runner_process.py``) instead of this one.
    """
    settings = settings or Settings()
    runtime = Runtime(settings=settings, clock=clock, token_verifier=token_verifier)
    if runtime.token_verifier is None:
        runtime.token_verifier = OAuthTokenVerifier(runtime)  # bearer tokens from our own OAuth server
    mcp_endpoint = McpEndpoint(runtime)
    reader_endpoint = ReaderEndpoint(runtime)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            opened: Core = (
                core
                if core is not None
                else await stack.enter_async_context(Core.open(settings, clock=clock))
            )
            runtime.attach(opened)
            await opened.installation.record_public_url()  # so a command-line publish builds the same URLs
            await stack.enter_async_context(mcp_endpoint.lifespan())
            await stack.enter_async_context(reader_endpoint.lifespan())
            if settings.run_publish_jobs and runner_process:
                check = opened.publishing.check_plan
                assert check is not None
                child = await stack.enter_async_context(
                    RunnerProcess(settings, check=check, manifest=opened.publishing.manifest_here).running()
                )
                opened.publishing.use_runner(child.wake, child.check_plan, child.plan_manifest)
            elif settings.run_publish_jobs:
                await stack.enter_async_context(_background(opened.runner.run_forever()))
            if opened.backups.enabled:
                await stack.enter_async_context(_background(opened.backups.run_forever()))
            if freeze_heap:
                gc.collect()
                gc.freeze()
                stack.callback(gc.unfreeze)
            yield

    limiter = build_limiter(settings)
    app = Starlette(
        # /mcp first: the router tries routes in order, and MCP calls are the bulk of the traffic.
        routes=[*mcp_endpoint.routes, *oauth_routes(runtime), *rest_routes(), *reader_endpoint.routes,
                *hosting_routes(), *voice_page_routes()],
        middleware=[
            Middleware(IngestCorsMiddleware, extension_ids=settings.ingest.extension_ids),
            Middleware(ClientIPMiddleware, trusted_proxies=settings.trusted_proxies),
            Middleware(RateLimitMiddleware, limiter=limiter, settings=settings),
            Middleware(BodyLimitMiddleware, settings=settings),
            Middleware(CustomDomains, runtime=runtime, reader=reader_endpoint),
            Middleware(AuthMiddleware, runtime=runtime),
        ],
        exception_handlers=exception_handlers(),
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    relative_slash_redirects(app.router)
    return app


def relative_slash_redirects(router: Router) -> None:
    """Starlette redirects ``/healthz/`` to ``/healthz`` (and back) with an absolute URL built from the
    request's Host header; a forged Host would then send the client elsewhere. Same redirect, as a path."""
    not_found = router.default
    router.redirect_slashes = False

    async def default(scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "/")
        if scope["type"] == "http" and path != "/":
            other = {**scope, "path": path.rstrip("/") if path.endswith("/") else path + "/"}
            if any(route.matches(other)[0] is not Match.NONE for route in router.routes):
                location = "/" + str(other["path"]).lstrip("/")
                query = scope.get("query_string", b"").decode("latin-1")
                await RedirectResponse(location + (f"?{query}" if query else ""))(scope, receive, send)
                return
        await not_found(scope, receive, send)

    router.default = default
