"""Registered OAuth clients (dynamic registration, RFC 7591) and the redirect URIs they may use."""

from __future__ import annotations

from typing import Any

from ..errors import InvalidInput
from ..models import OAuthClient
from ..rules.redirects import check_redirect_uri, redirect_uri_matches
from .base import OAuthPart

# What a confidential client would be given; a public client has none of it.
_SECRET_FIELDS = frozenset({"client_secret", "client_secret_expires_at"})


class Clients(OAuthPart):
    def check_redirect_uris(self, uris: list[str]) -> None:
        extra = frozenset(s.lower() for s in self.ctx.settings.oauth_extra_redirect_schemes)
        if not uris:
            raise InvalidInput("Register at least one redirect URI.", code="invalid_redirect_uri")
        for uri in uris:
            check_redirect_uri(uri, extra)

    async def register(
        self, client_id: str, redirect_uris: list[str], info: dict[str, Any]
    ) -> dict[str, Any]:
        """Register a client and return its metadata as registered.

        Public clients only (SPEC §10): whatever authentication method was asked for, the client is
        registered for "none" + PKCE and no secret is stored or shown. RFC 7591 §3.2.1 lets the server
        replace requested values, so the answer tells the client what it got.
        """
        self.check_redirect_uris(redirect_uris)
        info = {key: value for key, value in info.items() if key not in _SECRET_FIELDS}
        info["token_endpoint_auth_method"] = "none"
        async with self.db.write() as session:
            session.add(
                OAuthClient(
                    id=client_id,
                    client_name=info.get("client_name"),
                    redirect_uris=redirect_uris,
                    info=info,
                    created_at=self.now(),
                )
            )
        return info

    async def get(self, client_id: str) -> dict[str, Any] | None:
        async with self.db.read() as session:
            client = await session.get(OAuthClient, client_id)
            return dict(client.info) if client else None

    @staticmethod
    def redirect_allowed(registered: list[str], requested: str) -> bool:
        return redirect_uri_matches(registered, requested)
