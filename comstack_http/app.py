"""``create_app(settings)``: the one Starlette app serving REST, /mcp, OAuth and the sites."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount

from comstack_core import Core, Settings
from comstack_core.clock import Clock, utcnow

from .auth import AuthMiddleware, TokenVerifier
from .errors import exception_handlers
from .middleware.bodylimit import BodyLimitMiddleware
from .middleware.clientip import ClientIPMiddleware
from .middleware.ratelimit import RateLimitMiddleware, build_limiter
from .routes import rest_routes
from .runtime import Runtime


def create_app(
    settings: Settings | None = None,
    *,
    core: Core | None = None,
    clock: Clock = utcnow,
    token_verifier: TokenVerifier | None = None,
) -> Starlette:
    """Build the app. The Core opens in the lifespan unless an opened one is passed (tests, embedding)."""
    settings = settings or Settings()
    runtime = Runtime(settings=settings, clock=clock, token_verifier=token_verifier)
    from comstack_mcp import create_http_endpoint

    mcp_endpoint = create_http_endpoint(runtime)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            runtime.attach(core or await stack.enter_async_context(Core.open(settings, clock=clock)))
            await stack.enter_async_context(mcp_endpoint.lifespan())
            yield

    limiter = build_limiter(settings)
    app = Starlette(
        routes=[*rest_routes(), Mount("/mcp", app=mcp_endpoint.app)],
        middleware=[
            Middleware(ClientIPMiddleware, trusted_proxies=settings.trusted_proxies),
            Middleware(RateLimitMiddleware, limiter=limiter, settings=settings),
            Middleware(BodyLimitMiddleware, settings=settings),
            Middleware(AuthMiddleware, runtime=runtime),
        ],
        exception_handlers=exception_handlers(),
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    return app
