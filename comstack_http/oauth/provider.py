"""The mcp SDK's ``OAuthAuthorizationServerProvider``, answered by the core's OAuth service.

The SDK's handlers do the protocol (parameter validation, redirect-URI and client checks, RFC 6749 error
shapes); this adapter only translates between its models and
``core.oauth``, which stores everything and makes every decision.

Clock: the SDK checks code and refresh-token expiry against the wall clock (``time.time()``). The
expiry handed to it is therefore the *remaining* lifetime on the core's clock, re-based on the wall
clock, so the core's (injectable) clock is the one that decides.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import TYPE_CHECKING

from mcp.server.auth.provider import (
    AccessToken,
    AuthorizationCode,
    AuthorizationParams,
    AuthorizeError,
    OAuthAuthorizationServerProvider,
    RefreshToken,
    RegistrationError,
    TokenError,
)
from mcp.shared.auth import InvalidRedirectUriError, OAuthClientInformationFull, OAuthToken
from pydantic import AnyUrl

from comstack_core import Core
from comstack_core.errors import DomainError, InvalidInput, NotFound
from comstack_core.oauth.tokens import IssuedTokens, TokenInfo
from comstack_core.rules.redirects import redirect_uri_matches

if TYPE_CHECKING:
    from ..runtime import Runtime

SIGN_IN_PATH = "/oauth/sign-in"


class RegisteredClient(OAuthClientInformationFull):
    """The SDK's client record; a loopback redirect URI may use any port (RFC 8252 §7.3)."""

    def validate_redirect_uri(self, redirect_uri: AnyUrl | None) -> AnyUrl:
        # An omitted URI means the only registered one; it is matched all the same (the core's rules
        # refuse some URIs older registrations may hold).
        chosen = super().validate_redirect_uri(None) if redirect_uri is None else redirect_uri
        if redirect_uri_matches([str(uri) for uri in self.redirect_uris or []], str(chosen)):
            return chosen
        raise InvalidRedirectUriError(f"Redirect URI '{chosen}' is not registered for this client.")


class Refresh(RefreshToken):
    grant_id: str


class Access(AccessToken):
    grant_id: str


class Provider(OAuthAuthorizationServerProvider[AuthorizationCode, Refresh, Access]):
    # Subclassing the SDK protocol inherits its refusal of the identity-assertion grant (not offered).
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    @property
    def core(self) -> Core:
        return self.runtime.core

    def _wall(self, expires_at: datetime) -> float:
        return time.time() + (expires_at - self.core.ctx.clock()).total_seconds()

    async def get_client(self, client_id: str) -> RegisteredClient | None:
        info = await self.core.oauth.clients.get(client_id)
        return RegisteredClient.model_validate(info) if info else None

    async def register_client(self, client_info: OAuthClientInformationFull) -> None:
        # Public clients only (SPEC §10): whatever method was asked for (the SDK reads an omitted one as
        # client_secret_post and mints a secret), the client is registered for "none" + PKCE, and the
        # SDK answers with this same record, so the client is told (RFC 7591 §3.2.1 lets the server
        # replace requested values) and no secret is ever stored or shown.
        client_info.token_endpoint_auth_method = "none"
        client_info.client_secret = None
        client_info.client_secret_expires_at = None
        try:
            await self.core.oauth.clients.register(
                client_info.client_id, [str(uri) for uri in client_info.redirect_uris or []],
                client_info.model_dump(mode="json", exclude_none=True))
        except InvalidInput as error:
            if error.code == "invalid_redirect_uri":
                raise RegistrationError("invalid_redirect_uri", error.message) from None
            raise RegistrationError("invalid_client_metadata", error.message) from None

    async def authorize(self, client: OAuthClientInformationFull, params: AuthorizationParams) -> str:
        try:
            handle = await self.core.oauth.authorization.start(
                client.client_id, redirect_uri=str(params.redirect_uri),
                redirect_uri_explicit=params.redirect_uri_provided_explicitly, scopes=params.scopes,
                code_challenge=params.code_challenge, state=params.state, resource=params.resource)
        except (InvalidInput, NotFound) as error:
            if error.code == "invalid_scope":
                raise AuthorizeError("invalid_scope", error.message) from None
            if error.code == "invalid_target":
                raise AuthorizeError("invalid_target", error.message) from None
            raise AuthorizeError("invalid_request", error.message) from None
        return f"{self.runtime.settings.public_url.rstrip('/')}{SIGN_IN_PATH}?request={handle}"

    # Authorization codes are redeemed by ``TokenEndpoint`` in one core call (PKCE is checked there). The
    # SDK's two-step hooks for codes must exist, and answer as for an unknown code should anything call them.
    async def load_authorization_code(self, client: OAuthClientInformationFull,
                                      authorization_code: str) -> AuthorizationCode | None:
        return None

    async def exchange_authorization_code(self, client: OAuthClientInformationFull,
                                          authorization_code: AuthorizationCode) -> OAuthToken:
        raise TokenError("invalid_grant", "authorization code does not exist")

    async def load_refresh_token(self, client: OAuthClientInformationFull, refresh_token: str) -> Refresh | None:
        info = await self.core.oauth.tokens.load_refresh(client.client_id, refresh_token)
        if info is None:
            return None
        return Refresh(token=refresh_token, grant_id=info.grant_id, client_id=info.client_id, scopes=info.scopes,
                       expires_at=int(self._wall(info.expires_at)), resource=info.resource, subject=info.user_id)

    async def exchange_refresh_token(self, client: OAuthClientInformationFull, refresh_token: Refresh,
                                     scopes: list[str]) -> OAuthToken:
        try:
            tokens = self.core.oauth.tokens
            return token_response(await tokens.rotate_refresh(client.client_id, refresh_token.token, scopes))
        except DomainError as error:
            raise TokenError("invalid_scope" if error.code == "invalid_scope" else "invalid_grant",
                             error.message) from None

    async def load_access_token(self, token: str) -> Access | None:
        """Used by the revocation endpoint only; bearer tokens on requests go through the TokenVerifier."""
        info = await self.core.oauth.tokens.find_token(token, "access")
        return _access(token, info) if info else None

    async def revoke_token(self, token: Access | Refresh) -> None:
        # Either token revokes the whole grant: disconnecting a client must not leave half of it alive.
        await self.core.oauth.tokens.revoke_grant(token.grant_id, "revoked by the client")


def token_response(issued: IssuedTokens) -> OAuthToken:
    return OAuthToken(access_token=issued.access_token, expires_in=issued.expires_in,
                      scope=" ".join(issued.scopes), refresh_token=issued.refresh_token)


def _access(token: str, info: TokenInfo) -> Access:
    return Access(token=token, grant_id=info.grant_id, client_id=info.client_id, scopes=info.scopes,
                  expires_at=int(info.expires_at.timestamp()), resource=info.resource, subject=info.user_id)
