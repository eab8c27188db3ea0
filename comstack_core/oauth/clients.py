"""Registered OAuth clients (dynamic registration, RFC 7591) and the redirect URIs they may use."""

from __future__ import annotations

from typing import Any

from ..errors import InvalidInput
from ..models import OAuthClient
from ..rules.redirects import check_redirect_uri, redirect_uri_matches
from .base import OAuthPart


class Clients(OAuthPart):
    def check_redirect_uris(self, uris: list[str]) -> None:
        extra = frozenset(s.lower() for s in self.ctx.settings.oauth_extra_redirect_schemes)
        if not uris:
            raise InvalidInput("Register at least one redirect URI.", code="invalid_redirect_uri")
        for uri in uris:
            check_redirect_uri(uri, extra)

    async def register(self, client_id: str, redirect_uris: list[str], info: dict[str, Any]) -> None:
        self.check_redirect_uris(redirect_uris)
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

    async def get(self, client_id: str) -> dict[str, Any] | None:
        async with self.db.read() as session:
            client = await session.get(OAuthClient, client_id)
            return dict(client.info) if client else None

    @staticmethod
    def redirect_allowed(registered: list[str], requested: str) -> bool:
        return redirect_uri_matches(registered, requested)
