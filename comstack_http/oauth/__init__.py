"""OAuth 2.1 authorization server (SPEC §10): discovery, registration, authorize pages, tokens, revocation.

Library choice. The protocol endpoints are the official ``mcp`` SDK's auth handlers
(``mcp.server.auth.handlers``): they are native Starlette + async, match exactly what MCP clients
(the SDK's own ``OAuthClientProvider``, Claude, Cursor) send and expect, and do the mechanics — request
validation (``plain`` PKCE is refused by their request model), client authentication, redirect-URI
checks before any error redirect, RFC 6749/7591 response shapes. Revocation is a small handler of ours
on the SDK's client authenticator (``revoke.py``); codes are redeemed, PKCE included, by the core
(``token.py``).
authlib's server components were the alternative; they are synchronous and framework-bound (Flask,
Django), so driving them from our async database would need thread bridges. authlib *is* used where
it shines: the client side of the optional upstream OpenID Connect sign-in (``upstream.py``).

What the SDK leaves to a provider — storage, expiry, single use, rotation, replay handling, audience —
is ``comstack_core.oauth`` behind a thin adapter (``provider.py``). Tokens are opaque random
strings stored as SHA-256 digests; no JWTs, so no signing keys to manage.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mcp.server.auth.handlers.authorize import AuthorizationHandler
from mcp.server.auth.handlers.metadata import MetadataHandler, ProtectedResourceMetadataHandler
from mcp.server.auth.handlers.register import RegistrationHandler
from mcp.server.auth.middleware.client_auth import ClientAuthenticator
from mcp.server.auth.provider import construct_redirect_uri
from mcp.server.auth.routes import cors_middleware
from mcp.server.auth.settings import ClientRegistrationOptions
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from comstack_core.oauth.base import SCOPES

from .metadata import issuer, resource_metadata, server_metadata
from .pages import Pages
from .provider import Provider
from .revoke import RevocationHandler
from .token import TokenEndpoint
from .upstream import CALLBACK_PATH, Upstream
from .verifier import OAuthTokenVerifier

if TYPE_CHECKING:
    from ..runtime import Runtime

__all__ = ["OAuthTokenVerifier", "oauth_routes"]

GET, POST = ["GET", "OPTIONS"], ["POST", "OPTIONS"]


def oauth_routes(runtime: Runtime) -> list[BaseRoute]:
    """The protocol endpoints and pages; ``/oauth/*`` is rate limited by the shared middleware (SPEC §15).

    The account connector routes (``connectors.specs()``) are REST routes and are served from the REST
    table (``comstack_http.routes.api_specs``), so they are instrumented and documented like the others.
    """
    public_url = runtime.settings.public_url
    provider = Provider(runtime)
    clients = ClientAuthenticator(provider)
    registration = RegistrationHandler(provider, ClientRegistrationOptions(
        enabled=True, valid_scopes=list(SCOPES), default_scopes=list(SCOPES)))
    pages = Pages(runtime, Upstream(runtime.settings))

    authorization = AuthorizationHandler(provider)
    own_pages = public_url.rstrip("/") + "/oauth/"
    this_issuer = issuer(public_url)

    async def authorize(request: Request) -> Response:
        response = await authorization.handle(request)
        location = response.headers.get("location")
        if location and not location.startswith(own_pages):
            # An error the SDK sends back to the client: add the issuer as our pages do (RFC 9207 asks
            # for it on error responses too, and the metadata promises it).
            response.headers["location"] = construct_redirect_uri(location, iss=this_issuer)
        return response

    def well_known(handler: MetadataHandler | ProtectedResourceMetadataHandler) -> ASGIApp:
        # Browser-based MCP clients (MCP Inspector) read discovery and call the token endpoints
        # cross-origin; the pages and /oauth/authorize are navigations and get no CORS.
        return cors_middleware(handler.handle, GET)

    return [
        Route("/.well-known/oauth-authorization-server", well_known(MetadataHandler(server_metadata(public_url))),
              methods=GET),
        Route("/.well-known/oauth-protected-resource",
              well_known(ProtectedResourceMetadataHandler(resource_metadata(public_url))), methods=GET),
        Route("/.well-known/oauth-protected-resource/mcp",
              well_known(ProtectedResourceMetadataHandler(resource_metadata(public_url, "/mcp"))), methods=GET),
        Route("/oauth/authorize", authorize, methods=["GET", "POST"]),
        Route("/oauth/token", cors_middleware(TokenEndpoint(provider, clients).handle, POST), methods=POST),
        Route("/oauth/register", cors_middleware(registration.handle, POST), methods=POST),
        Route("/oauth/revoke", cors_middleware(RevocationHandler(provider).handle, POST), methods=POST),
        Route("/oauth/sign-in", pages.sign_in, methods=["GET", "POST"]),
        Route("/oauth/consent", pages.consent, methods=["GET", "POST"]),
        Route("/oauth/upstream", pages.upstream_start, methods=["POST"]),
        Route(CALLBACK_PATH, pages.upstream_callback, methods=["GET"]),
        Mount("/oauth/assets", StaticFiles(packages=[("comstack_http.oauth", "static")]), name="oauth-assets"),
    ]
