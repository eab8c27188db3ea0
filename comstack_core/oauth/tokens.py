"""Codes and tokens: exchanging an authorization code (its PKCE S256 verifier checked here), rotating
refresh tokens, revoking a grant (a token family), and turning a bearer access token into a Principal
(what this server's ``TokenVerifier`` calls).

Single use is enforced with conditional UPDATEs (``... WHERE used_at IS NULL``) whose row count says
who won, so two workers presenting the same code or refresh token at once cannot both succeed, on
SQLite or PostgreSQL. The losing presentation is treated as the replay it is and revokes the family.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from ..auth import Door, Principal, hash_secret
from ..errors import InvalidInput, Unauthenticated
from ..models import OAuthCode, OAuthGrant, OAuthToken, User
from ..rules.pkce import valid_verifier, verifier_matches
from ..services.base import audit
from .base import OAuthPart, new_secret

# last_used_at feeds the connector status; a minute's precision keeps reads from becoming writes.
LAST_USED_PRECISION = timedelta(minutes=1)


class InvalidGrant(InvalidInput):
    """A code or refresh token that is unknown, expired, used or revoked (``invalid_grant``)."""

    code = "invalid_grant"


@dataclass(frozen=True)
class TokenInfo:
    kind: str
    grant_id: str
    client_id: str
    user_id: str
    scopes: list[str]
    resource: str
    expires_at: datetime


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int
    scopes: list[str]


class Tokens(OAuthPart):
    async def exchange_code(
        self, client_id: str, code: str, *, code_verifier: str, redirect_uri: str | None
    ) -> IssuedTokens:
        """Redeem a code for the first access and refresh token of its family.

        A code is spent by its first presentation, whatever the outcome (race-safe): an exchange that
        fails — wrong client, expired, redirect URI or PKCE verifier wrong — also revokes the grant, so
        a stolen code cannot be retried until the verifier fits. A code presented again revokes its
        family, tokens included. ``redirect_uri`` is the one sent to the token endpoint (None when
        omitted); it must repeat the authorize request's when that one named it (RFC 6749 §4.1.3).
        """
        now, digest = self.now(), hash_secret(code)
        async with self.db.write() as session:
            spent = await session.exec(
                update(OAuthCode)
                .where(col(OAuthCode.code_hash) == digest, col(OAuthCode.used_at).is_(None))
                .values(used_at=now)
            )
            row = await session.get(OAuthCode, digest)
            grant = await session.get(OAuthGrant, row.grant_id) if row else None
            if row is None or grant is None:
                refusal: InvalidInput = InvalidGrant("The authorization code is unknown.")
            elif spent.rowcount != 1:
                # Used before, or lost a race with another presentation of it: a reuse either way.
                refusal = InvalidGrant("The authorization code was already used; its tokens are revoked.")
            else:
                problem = _code_problem(row, grant, client_id, code_verifier, redirect_uri, now)
                if problem is None:
                    return self._issue(session, grant, list(grant.scopes), now)
                refusal = problem
            if grant is not None:
                self._revoke(session, grant, f"authorization code refused: {refusal.message}")
        raise refusal  # after the block, so the spent code and the revocation are committed

    async def load_refresh(self, client_id: str, token: str) -> TokenInfo | None:
        """The refresh token, or None. A rotated one presented again revokes its whole family."""
        async with self.db.write() as session:
            found = await self._find(session, token, "refresh")
            if found is None:
                return None
            row, grant = found
            if grant.client_id != client_id or grant.revoked_at is not None:
                return None
            if row.used_at is not None:
                self._revoke(session, grant, "refresh token replayed")
                return None
            return _info(row, grant)

    async def rotate_refresh(self, client_id: str, token: str, scopes: list[str]) -> IssuedTokens:
        now, digest = self.now(), hash_secret(token)
        replayed: str | None = None
        async with self.db.write() as session:
            found = await self._find(session, token, "refresh")
            if found is None or found[1].client_id != client_id or found[1].revoked_at is not None:
                raise InvalidGrant("The refresh token is invalid, expired, revoked or already used.")
            if not set(scopes) <= set(found[0].scopes):
                raise InvalidInput("A refresh cannot widen the scopes granted.", code="invalid_scope")
            spent = await session.exec(
                update(OAuthToken)
                .where(
                    col(OAuthToken.token_hash) == digest,
                    col(OAuthToken.kind) == "refresh",
                    col(OAuthToken.used_at).is_(None),
                    col(OAuthToken.expires_at) > now,
                )
                .values(used_at=now)
            )
            row, grant = found
            if spent.rowcount == 1:
                return self._issue(session, grant, scopes, now)
            await session.refresh(row)
            if row.used_at is not None:
                replayed = grant.id  # lost a race with another presentation: a replay too
        if replayed:
            await self.revoke_grant(replayed, "refresh token replayed")  # its own transaction: it must stick
        raise InvalidGrant("The refresh token is invalid, expired, revoked or already used.")

    async def find_token(self, token: str, kind: str) -> TokenInfo | None:
        async with self.db.read() as session:
            found = await self._find(session, token, kind)
            return _info(*found) if found else None

    async def revoke_grant(self, grant_id: str, reason: str) -> None:
        async with self.db.write() as session:
            grant = await session.get(OAuthGrant, grant_id)
            if grant is not None:
                self._revoke(session, grant, reason)

    async def authenticate(self, token: str, *, door: Door) -> Principal:
        """A bearer access token -> its user's Principal with the token's scopes, or Unauthenticated."""
        now = self.now()
        async with self.db.read() as session:
            found = await self._find(session, token, "access")
            user = await session.get(User, found[1].user_id) if found else None
        if found is None or user is None:
            raise Unauthenticated("Unknown access token; sign in again from your app.", code="invalid_token")
        row, grant = found
        if grant.revoked_at is not None:
            raise Unauthenticated("This access token was revoked; reconnect your app.", code="invalid_token")
        if row.expires_at <= now:
            raise Unauthenticated("This access token has expired; refresh it.", code="invalid_token")
        if grant.resource not in self.resources:
            raise Unauthenticated(
                f"This token was issued for {grant.resource}, not for this server.", code="invalid_token"
            )
        if grant.last_used_at is None or now - grant.last_used_at >= LAST_USED_PRECISION:
            async with self.db.write() as session:
                await session.exec(
                    update(OAuthGrant).where(col(OAuthGrant.id) == grant.id).values(last_used_at=now)
                )
        return Principal(
            kind="user",
            user_id=user.id,
            is_platform_admin=user.is_platform_admin,
            scopes=frozenset(row.scopes),
            door=door,
        )

    async def _find(
        self, session: AsyncSession, token: str, kind: str
    ) -> tuple[OAuthToken, OAuthGrant] | None:
        row = await session.get(OAuthToken, hash_secret(token))
        if row is None or row.kind != kind:
            return None
        grant = await session.get(OAuthGrant, row.grant_id)
        return (row, grant) if grant else None

    def _issue(
        self, session: AsyncSession, grant: OAuthGrant, scopes: list[str], now: datetime
    ) -> IssuedTokens:
        access, refresh = new_secret(), new_secret()
        access_ttl, refresh_ttl = self.ttl("access_token_ttl"), self.ttl("refresh_token_ttl")
        for kind, token, ttl in (("access", access, access_ttl), ("refresh", refresh, refresh_ttl)):
            session.add(
                OAuthToken(
                    token_hash=hash_secret(token),
                    kind=kind,
                    grant_id=grant.id,
                    scopes=scopes,
                    created_at=now,
                    expires_at=now + ttl,
                )
            )
        grant.expires_at = now + refresh_ttl
        session.add(grant)
        return IssuedTokens(access, refresh, int(access_ttl.total_seconds()), scopes)

    def _revoke(self, session: AsyncSession, grant: OAuthGrant, reason: str) -> None:
        if grant.revoked_at is not None:
            return
        now = self.now()
        grant.revoked_at, grant.revoked_reason = now, reason
        session.add(grant)
        audit(
            session,
            Principal(kind="user", user_id=grant.user_id, door="rest"),
            "oauth.revoke",
            project_id=None,
            targets=[grant.id],
            detail={"client_id": grant.client_id, "reason": reason},
            at=now,
        )


def _code_problem(
    row: OAuthCode, grant: OAuthGrant, client_id: str, verifier: str, redirect_uri: str | None, now: datetime
) -> InvalidInput | None:
    if row.client_id != client_id:
        return InvalidGrant("The authorization code was issued to another client.")
    if row.expires_at <= now or grant.revoked_at is not None:
        return InvalidGrant("The authorization code has expired; sign in again from your app.")
    if redirect_uri != (row.redirect_uri if row.redirect_uri_explicit else None):
        return InvalidGrant("redirect_uri must be the one sent to /oauth/authorize with this code.")
    if not valid_verifier(verifier):
        return InvalidInput(
            f"code_verifier must be 43 to 128 characters of A-Z, a-z, 0-9, '-', '.', '_' and '~' "
            f"(RFC 7636); this one has {len(verifier)}. The code is spent: sign in again.",
            code="invalid_request",
        )
    if not verifier_matches(verifier, row.code_challenge):
        return InvalidGrant("code_verifier does not match the code_challenge of the authorize request.")
    return None


def _info(row: OAuthToken, grant: OAuthGrant) -> TokenInfo:
    return TokenInfo(
        kind=row.kind,
        grant_id=grant.id,
        client_id=grant.client_id,
        user_id=grant.user_id,
        scopes=list(row.scopes),
        resource=grant.resource,
        expires_at=row.expires_at,
    )
