"""Optional upstream OpenID Connect sign-in (e.g. Google), with authlib's Starlette client.

Configured by ``COMSTACK_OIDC_METADATA_URL`` + ``COMSTACK_OIDC_CLIENT_ID`` (+ ``_CLIENT_SECRET``);
the provider must list ``<public_url>/oauth/upstream/callback`` as a redirect URI. authlib does the
round trip (discovery, PKCE S256 and nonce, code exchange, ID token signature and claims checks); its
per-request state is kept by the core on the pending authorization (not in a cookie session), bound to
the same browser as the rest of the sign-in. The verified email must belong to an existing user:
upstream sign-in proves who someone is, it does not create accounts.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import httpx
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.starlette_client import OAuth
from joserfc.errors import JoseError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from comstack_core import Settings
from comstack_core.errors import DomainError, Unauthenticated

from .pages import COOKIE

if TYPE_CHECKING:
    from .pages import Pages

log = logging.getLogger(__name__)
CALLBACK_PATH = "/oauth/upstream/callback"


class Upstream:
    def __init__(self, settings: Settings) -> None:
        self.display_name = settings.oidc_display_name
        self.callback_url = settings.public_url.rstrip("/") + CALLBACK_PATH
        self.client: Any = None
        if settings.oidc_metadata_url and settings.oidc_client_id:
            self.client = OAuth().register(
                name="upstream", client_id=settings.oidc_client_id, client_secret=settings.oidc_client_secret,
                server_metadata_url=settings.oidc_metadata_url,
                client_kwargs={"scope": settings.oidc_scope, "code_challenge_method": "S256"})

    @property
    def enabled(self) -> bool:
        return self.client is not None

    async def start(self) -> dict[str, Any]:
        """authlib's authorization URL with its state, nonce and PKCE verifier."""
        result: dict[str, Any] = await self.client.create_authorization_url(self.callback_url)
        return result

    async def finish(self, code: str, data: dict[str, Any]) -> str:
        """Exchange the code, verify the ID token; return the verified email address."""
        token = await self.client.fetch_access_token(redirect_uri=self.callback_url, code=code,
                                                     code_verifier=data.get("code_verifier"))
        claims = await self.client.parse_id_token(token, nonce=data.get("nonce"))
        if claims is None:
            raise Unauthenticated("The sign-in provider returned no ID token.", code="upstream_failed")
        email = claims.get("email")
        if not email or claims.get("email_verified") is False:
            raise Unauthenticated("The sign-in provider did not confirm a verified email address.",
                                  code="upstream_failed")
        return str(email)


async def start(pages: Pages, request: Request) -> Response:
    form = await request.form()
    handle = str(form.get("request", ""))
    try:
        await pages.core.oauth.check_form(handle, request.cookies.get(COOKIE),
                                          str(form.get("csrf_token") or "") or None)
        if not pages.upstream.enabled:
            raise Unauthenticated("Single sign-on is not configured on this server.", code="upstream_disabled")
        begun = await pages.upstream.start()
        await pages.core.oauth.start_upstream(handle, begun["state"], {
            "nonce": begun.get("nonce"), "code_verifier": begun.get("code_verifier")})
    except DomainError as error:
        return pages.message(error)
    return RedirectResponse(begun["url"], status_code=303, headers={"Cache-Control": "no-store"})


async def callback(pages: Pages, request: Request) -> Response:
    params = request.query_params
    try:
        handle, data = await pages.core.oauth.finish_upstream(params.get("state"),
                                                              request.cookies.get(COOKIE))
        if params.get("error") or not params.get("code"):
            raise Unauthenticated(f"Sign-in with {pages.upstream.display_name} did not complete "
                                  f"({params.get('error') or 'no code'}).", code="upstream_failed")
        try:
            email = await pages.upstream.finish(str(params.get("code")), data)
        except (AuthlibBaseError, JoseError, httpx.HTTPError, ValueError, KeyError) as failure:
            # Bad signature or claims (joserfc), a refused exchange (authlib), an unreachable provider.
            log.warning("Upstream OpenID Connect sign-in failed: %s", failure)
            raise Unauthenticated(f"Sign-in with {pages.upstream.display_name} failed; try again or use your "
                                  "password.", code="upstream_failed") from None
        await pages.core.oauth.sign_in_email(handle, email)
    except DomainError as error:
        return pages.message(error)
    return pages.goto("/oauth/consent", handle)
