"""Registered OAuth clients (dynamic registration, RFC 7591) and the redirect URIs they may use.

Registration is open to anyone, so every record is bounded (``MAX_*`` below; the HTTP door also caps
the request body) and a client nobody uses is forgotten: each registration first deletes the clients
registered more than ``UNUSED_CLIENT_TTL`` ago that have no live grant and no grant that recent.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete, or_
from sqlmodel import col, select

from ..errors import InvalidInput
from ..models import OAuthClient, OAuthGrant
from ..rules.redirects import MAX_REDIRECT_URI_LENGTH, check_redirect_uri, redirect_uri_matches
from .base import OAuthPart

MAX_CLIENT_NAME = 100
MAX_REDIRECT_URIS = 10
MAX_FIELD_LENGTH = MAX_REDIRECT_URI_LENGTH  # client_uri, logo_uri, scope, software_id, ...
MAX_LIST_ITEMS = 10  # contacts, grant_types, response_types
UNUSED_CLIENT_TTL = timedelta(hours=24)


class Clients(OAuthPart):
    def check_redirect_uris(self, uris: list[str]) -> None:
        if not uris:
            raise InvalidInput("Register at least one redirect URI.", code="invalid_redirect_uri")
        if len(uris) > MAX_REDIRECT_URIS:
            raise InvalidInput(
                f"Register at most {MAX_REDIRECT_URIS} redirect URIs; this registration has {len(uris)}.",
                code="invalid_redirect_uri",
            )
        for uri in uris:
            check_redirect_uri(uri, self.extra_redirect_schemes)

    async def register(self, client_id: str, redirect_uris: list[str], info: dict[str, Any]) -> None:
        self.check_redirect_uris(redirect_uris)
        check_metadata(info)
        now = self.now()
        async with self.db.write() as session:
            cutoff = now - UNUSED_CLIENT_TTL
            in_use = select(OAuthGrant.client_id).where(
                or_(
                    col(OAuthGrant.created_at) > cutoff,
                    (col(OAuthGrant.revoked_at).is_(None)) & (col(OAuthGrant.expires_at) > now),
                )
            )
            # Their grants, codes, tokens and pending requests go with them (ON DELETE CASCADE).
            await session.exec(
                delete(OAuthClient).where(
                    col(OAuthClient.created_at) <= cutoff, col(OAuthClient.id).not_in(in_use)
                )
            )
            session.add(
                OAuthClient(
                    id=client_id,
                    client_name=info.get("client_name"),
                    redirect_uris=redirect_uris,
                    info=info,
                    created_at=now,
                )
            )

    async def get(self, client_id: str) -> dict[str, Any] | None:
        async with self.db.read() as session:
            client = await session.get(OAuthClient, client_id)
            return dict(client.info) if client else None

    @staticmethod
    def redirect_allowed(registered: list[str], requested: str) -> bool:
        return redirect_uri_matches(registered, requested)


def check_metadata(info: dict[str, Any]) -> None:
    """Bound every field a client may register (RFC 7591 §2), naming the one that is too long."""
    name = info.get("client_name")
    if isinstance(name, str) and len(name) > MAX_CLIENT_NAME:
        raise InvalidInput(
            f"client_name may have at most {MAX_CLIENT_NAME} characters; it has {len(name)}.",
            code="invalid_client_metadata",
        )
    for field, value in info.items():
        if field == "redirect_uris":
            continue
        if isinstance(value, list) and len(value) > MAX_LIST_ITEMS:
            raise InvalidInput(
                f"{field} may list at most {MAX_LIST_ITEMS} values; it lists {len(value)}.",
                code="invalid_client_metadata",
            )
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str) and len(text) > MAX_FIELD_LENGTH:
                raise InvalidInput(
                    f"{field} may have at most {MAX_FIELD_LENGTH} characters; it has {len(text)}.",
                    code="invalid_client_metadata",
                )
