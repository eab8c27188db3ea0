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
from typing import Any

import httpx
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.starlette_client import OAuth
from joserfc.errors import JoseError

from comstack_core import Settings
from comstack_core.errors import Unauthenticated

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
        try:
            token = await self.client.fetch_access_token(redirect_uri=self.callback_url, code=code,
                                                         code_verifier=data.get("code_verifier"))
            claims = await self.client.parse_id_token(token, nonce=data.get("nonce"))
        except (AuthlibBaseError, JoseError, httpx.HTTPError, ValueError, KeyError) as failure:
            # Bad signature or claims (joserfc), a refused exchange (authlib), an unreachable provider.
            log.warning("Upstream OpenID Connect sign-in failed: %s", failure)
            raise Unauthenticated(f"Sign-in with {self.display_name} failed; try again or use your "
                                  "password.", code="upstream_failed") from None
        if claims is None:
            raise Unauthenticated("The sign-in provider returned no ID token.", code="upstream_failed")
        email = claims.get("email")
        if not email or claims.get("email_verified") is False:
            raise Unauthenticated("The sign-in provider did not confirm a verified email address.",
                                  code="upstream_failed")
        return str(email)
