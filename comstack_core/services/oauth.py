"""The OAuth 2.1 authorization server's rules and storage (SPEC §10).

The HTTP door speaks the protocol (``comstack_http.oauth``, on the mcp SDK's handlers); every record
and every decision — which redirect URIs and resources are acceptable, who signed in, when a code or
token is dead, what a replay revokes, who a bearer token is — is made here, on the core's clock.

Secrets handed out (codes, tokens, sign-in handles, CSRF tokens, browser bindings) are random
(``secrets.token_urlsafe``) and stored only as SHA-256 digests (:func:`hash_secret`).

Single use is enforced with conditional UPDATEs (``... WHERE used_at IS NULL``) whose row count says
who won, so two workers presenting the same code or refresh token at once cannot both succeed, on
SQLite or PostgreSQL. The losing presentation is treated as the replay it is and revokes the family.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..auth import SCOPE_FULL, SCOPE_READ, Door, Principal, hash_secret
from ..clock import new_id
from ..errors import Forbidden, InvalidInput, NotFound, Unauthenticated
from ..models import OAuthClient, OAuthCode, OAuthGrant, OAuthRequest, OAuthToken, User
from ..rules.redirects import canonical_resource, check_redirect_uri, redirect_uri_matches, server_resources
from ..schemas.oauth import ClientSetup, ConnectorConfig, ConnectorConnection, ConnectorStatus
from .base import Service, audit
from .users import normalize_email

SCOPES = (SCOPE_FULL, SCOPE_READ)
# last_used_at feeds the connector status; a minute's precision keeps reads from becoming writes.
LAST_USED_PRECISION = timedelta(minutes=1)


class InvalidGrant(InvalidInput):
    """A code or refresh token that is unknown, expired, used or revoked (``invalid_grant``)."""

    code = "invalid_grant"


@dataclass(frozen=True)
class Pending:
    """An authorization request as the sign-in and consent pages show it."""

    client_id: str
    client_name: str | None
    redirect_uri: str
    scopes: list[str]
    user_id: str | None
    user_email: str | None


@dataclass(frozen=True)
class CodeInfo:
    grant_id: str
    client_id: str
    user_id: str
    scopes: list[str]
    resource: str
    redirect_uri: str
    redirect_uri_explicit: bool
    code_challenge: str
    expires_at: datetime


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


@dataclass(frozen=True)
class Redirect:
    """Where the browser goes back to the client, and the query parameters it carries."""

    uri: str
    params: dict[str, str]


def _token() -> str:
    return secrets.token_urlsafe(32)


def _same(raw: str | None, digest: str | None) -> bool:
    return raw is not None and digest is not None and secrets.compare_digest(hash_secret(raw), digest)


class OAuthService(Service):
    # -- settings-derived rules -------------------------------------------------------------------

    def _ttl(self, name: str) -> timedelta:
        return timedelta(seconds=int(getattr(self.ctx.settings, f"oauth_{name}_seconds")))

    @property
    def resources(self) -> frozenset[str]:
        return server_resources(self.ctx.settings.public_url)

    @property
    def default_resource(self) -> str:
        return canonical_resource(self.ctx.settings.public_url) + "/mcp"

    def check_redirect_uris(self, uris: list[str]) -> None:
        extra = frozenset(s.lower() for s in self.ctx.settings.oauth_extra_redirect_schemes)
        if not uris:
            raise InvalidInput("Register at least one redirect URI.", code="invalid_redirect_uri")
        for uri in uris:
            check_redirect_uri(uri, extra)

    # -- clients ----------------------------------------------------------------------------------

    async def register_client(self, client_id: str, redirect_uris: list[str], info: dict[str, Any]) -> None:
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

    async def get_client(self, client_id: str) -> dict[str, Any] | None:
        async with self.db.read() as session:
            client = await session.get(OAuthClient, client_id)
            return dict(client.info) if client else None

    @staticmethod
    def redirect_allowed(registered: list[str], requested: str) -> bool:
        return redirect_uri_matches(registered, requested)

    # -- the pending request: sign-in and consent ------------------------------------------------

    async def start(
        self,
        client_id: str,
        *,
        redirect_uri: str,
        redirect_uri_explicit: bool,
        scopes: list[str] | None,
        code_challenge: str,
        state: str | None,
        resource: str | None,
    ) -> str:
        """Record an authorization request; returns the handle the sign-in page is addressed by."""
        scopes = scopes or [SCOPE_FULL]
        unknown = sorted(set(scopes) - set(SCOPES))
        if unknown:
            raise InvalidInput(
                f"Unknown scope {', '.join(unknown)}; use comstack or comstack:read.", code="invalid_scope"
            )
        target = canonical_resource(resource) if resource else self.default_resource
        if target not in self.resources:
            raise InvalidInput(
                f"Tokens from this server are for {self.default_resource}, not {resource}.",
                code="invalid_target",
            )
        handle, now = _token(), self.now()
        async with self.db.write() as session:
            await self._purge(session, now)
            if await session.get(OAuthClient, client_id) is None:
                raise NotFound(f"No client {client_id!r} is registered.", code="invalid_client")
            session.add(
                OAuthRequest(
                    id=new_id("oar"),
                    handle_hash=hash_secret(handle),
                    client_id=client_id,
                    redirect_uri=redirect_uri,
                    redirect_uri_explicit=redirect_uri_explicit,
                    scopes=list(dict.fromkeys(scopes)),
                    code_challenge=code_challenge,
                    state=state,
                    resource=target,
                    created_at=now,
                    expires_at=now + self._ttl("sign_in_ttl"),
                )
            )
        return handle

    async def _request(self, session: AsyncSession, handle: str | None) -> OAuthRequest:
        row = None
        if handle:
            row = (
                await session.exec(
                    select(OAuthRequest).where(OAuthRequest.handle_hash == hash_secret(handle))
                )
            ).first()
        if row is None or row.expires_at <= self.now():
            raise NotFound(
                "This sign-in has expired or was already answered. Go back to your app and connect again.",
                code="oauth_request_expired",
            )
        return row

    async def _pending(self, session: AsyncSession, row: OAuthRequest) -> Pending:
        client = await session.get(OAuthClient, row.client_id)
        user = await session.get(User, row.user_id) if row.user_id else None
        return Pending(
            client_id=row.client_id,
            client_name=client.client_name if client else None,
            redirect_uri=row.redirect_uri,
            scopes=list(row.scopes),
            user_id=row.user_id,
            user_email=user.email if user else None,
        )

    async def open_page(self, handle: str | None, browser: str | None) -> tuple[Pending, str, str]:
        """Show a page of the request: binds it to the browser on first sight; returns a fresh CSRF token.

        Returns (request, browser secret for the cookie, CSRF token for the form). A request already
        bound to another browser is refused: the sign-in must finish where it started.
        """
        async with self.db.write() as session:
            row = await self._request(session, handle)
            if row.browser_hash is None:
                browser = browser or _token()
                row.browser_hash = hash_secret(browser)
            elif browser is None or not _same(browser, row.browser_hash):
                raise Forbidden(
                    "This sign-in was started in another browser. Go back to your app and connect "
                    "again from this one.",
                    code="oauth_other_browser",
                )
            csrf = _token()
            row.csrf_hash = hash_secret(csrf)
            session.add(row)
            return await self._pending(session, row), browser, csrf

    async def check_form(self, handle: str | None, browser: str | None, csrf: str | None) -> Pending:
        """A form post is accepted only from the page this browser was shown (CSRF token + binding)."""
        async with self.db.read() as session:
            row = await self._request(session, handle)
            if not (_same(browser, row.browser_hash) and _same(csrf, row.csrf_hash)):
                raise Forbidden(
                    "This form has expired or was not sent from the sign-in page. Go back to your "
                    "app and connect again.",
                    code="csrf_failed",
                )
            return await self._pending(session, row)

    async def sign_in(self, handle: str, user_id: str) -> None:
        async with self.db.write() as session:
            row = await self._request(session, handle)
            row.user_id = user_id
            session.add(row)

    async def sign_in_email(self, handle: str, email: str) -> None:
        """Upstream OpenID Connect sign-in: the verified email must belong to an existing user."""
        async with self.db.write() as session:
            row = await self._request(session, handle)
            user = (await session.exec(select(User).where(User.email == normalize_email(email)))).first()
            if user is None:
                raise Unauthenticated(
                    f"No ComStack account uses {email}. Ask an administrator to invite you, "
                    "or sign in with your email and password.",
                    code="unknown_user",
                )
            row.user_id = user.id
            session.add(row)

    async def start_upstream(self, handle: str, state: str, data: dict[str, Any]) -> None:
        async with self.db.write() as session:
            row = await self._request(session, handle)
            row.upstream_state_hash, row.upstream = hash_secret(state), data
            session.add(row)

    async def finish_upstream(self, state: str | None, browser: str | None) -> tuple[str, dict[str, Any]]:
        """The upstream provider came back with its state: returns the saved round-trip data and a new
        handle for the request (only its digest is stored, so the old one cannot be given back; the old
        one, left in the browser's history, stops working)."""
        async with self.db.write() as session:
            row = None
            if state:
                row = (
                    await session.exec(
                        select(OAuthRequest).where(OAuthRequest.upstream_state_hash == hash_secret(state))
                    )
                ).first()
            if row is None or row.expires_at <= self.now():
                raise NotFound(
                    "This sign-in has expired. Go back to your app and connect again.",
                    code="oauth_request_expired",
                )
            if not _same(browser, row.browser_hash):
                raise Forbidden("This sign-in was started in another browser.", code="oauth_other_browser")
            handle, data = _token(), dict(row.upstream or {})
            row.handle_hash, row.upstream_state_hash, row.upstream = hash_secret(handle), None, None
            session.add(row)
            return handle, data

    async def approve(self, handle: str) -> Redirect:
        """The user allowed the client: a grant (token family) and its single-use code."""
        now = self.now()
        async with self.db.write() as session:
            row = await self._request(session, handle)
            if row.user_id is None:
                raise Unauthenticated("Sign in first.", code="unauthenticated")
            grant = OAuthGrant(
                id=new_id("grt"),
                client_id=row.client_id,
                user_id=row.user_id,
                scopes=row.scopes,
                resource=row.resource,
                created_at=now,
                expires_at=now + self._ttl("code_ttl"),
            )
            code = _token()
            session.add(grant)
            await session.flush()
            session.add(
                OAuthCode(
                    code_hash=hash_secret(code),
                    grant_id=grant.id,
                    client_id=row.client_id,
                    redirect_uri=row.redirect_uri,
                    redirect_uri_explicit=row.redirect_uri_explicit,
                    code_challenge=row.code_challenge,
                    created_at=now,
                    expires_at=now + self._ttl("code_ttl"),
                )
            )
            principal = Principal(kind="user", user_id=row.user_id, door="rest")
            audit(
                session,
                principal,
                "oauth.grant",
                project_id=None,
                targets=[grant.id],
                detail={"client_id": row.client_id, "scopes": row.scopes},
                at=now,
            )
            await session.delete(row)
            return Redirect(row.redirect_uri, _with_state({"code": code}, row.state))

    async def deny(self, handle: str) -> Redirect:
        async with self.db.write() as session:
            row = await self._request(session, handle)
            await session.delete(row)
            return Redirect(
                row.redirect_uri,
                _with_state(
                    {"error": "access_denied", "error_description": "The user denied access."}, row.state
                ),
            )

    # -- codes and tokens -------------------------------------------------------------------------

    async def load_code(self, client_id: str, code: str) -> CodeInfo | None:
        """The code as issued, or None. A code presented after it was used revokes its whole family."""
        async with self.db.write() as session:
            row = await session.get(OAuthCode, hash_secret(code))
            if row is None or row.client_id != client_id:
                return None
            grant = await session.get(OAuthGrant, row.grant_id)
            if grant is None or grant.revoked_at is not None:
                return None
            if row.used_at is not None:
                self._revoke(session, grant, "authorization code reused")
                return None
            return CodeInfo(
                grant_id=grant.id,
                client_id=row.client_id,
                user_id=grant.user_id,
                scopes=list(grant.scopes),
                resource=grant.resource,
                redirect_uri=row.redirect_uri,
                redirect_uri_explicit=row.redirect_uri_explicit,
                code_challenge=row.code_challenge,
                expires_at=row.expires_at,
            )

    async def exchange_code(self, client_id: str, code: str) -> IssuedTokens:
        """Spend the code (once, race-safe) and issue the first access and refresh token of its family."""
        now, digest = self.now(), hash_secret(code)
        reused: str | None = None
        async with self.db.write() as session:
            spent = await session.exec(
                update(OAuthCode)
                .where(
                    col(OAuthCode.code_hash) == digest,
                    col(OAuthCode.client_id) == client_id,
                    col(OAuthCode.used_at).is_(None),
                    col(OAuthCode.expires_at) > now,
                )
                .values(used_at=now)
            )
            row = await session.get(OAuthCode, digest)
            grant = await session.get(OAuthGrant, row.grant_id) if row else None
            if spent.rowcount == 1 and grant is not None and grant.revoked_at is None:
                return self._issue(session, grant, list(grant.scopes), now)
            if grant is not None and row is not None and row.used_at is not None:
                reused = grant.id  # lost a race with another presentation of the code: a reuse too
        if reused:
            await self.revoke_grant(reused, "authorization code reused")  # its own transaction: it must stick
        raise InvalidGrant("The authorization code is invalid, expired or already used.")

    async def load_refresh(self, client_id: str, token: str) -> TokenInfo | None:
        """The refresh token, or None. A rotated one presented again revokes its whole family."""
        async with self.db.write() as session:
            found = await self._token(session, token, "refresh")
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
            found = await self._token(session, token, "refresh")
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
            found = await self._token(session, token, kind)
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
            found = await self._token(session, token, "access")
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

    # -- the account's connectors -----------------------------------------------------------------

    async def connector_status(self, principal: Principal) -> ConnectorStatus:
        if principal.kind != "user" or principal.user_id is None:
            raise Forbidden(
                "Connectors belong to a person; call this with a user's OAuth token, not an API key.",
                code="user_only",
            )
        async with self.db.read() as session:
            rows = (
                await session.exec(
                    select(OAuthGrant, OAuthClient)
                    .join(OAuthClient)
                    .where(
                        OAuthGrant.user_id == principal.user_id,
                        col(OAuthGrant.revoked_at).is_(None),
                        col(OAuthGrant.expires_at) > self.now(),
                        # A consent whose code was never exchanged is not a connection.
                        col(OAuthGrant.id).in_(select(OAuthToken.grant_id)),
                    )
                )
            ).all()
        connections = sorted(
            (
                ConnectorConnection(
                    client_id=client.id,
                    client_name=client.client_name,
                    scopes=grant.scopes,
                    connected_at=grant.created_at,
                    last_used_at=grant.last_used_at,
                )
                for grant, client in rows
            ),
            key=lambda c: c.last_used_at or c.connected_at,
            reverse=True,
        )
        latest = connections[0] if connections else None
        return ConnectorStatus(
            connected=latest is not None,
            last_used_at=latest.last_used_at if latest else None,
            client_name=latest.client_name if latest else None,
            connections=connections,
        )

    def connector_config(self) -> ConnectorConfig:
        url = canonical_resource(self.ctx.settings.public_url) + "/mcp"
        return ConnectorConfig(
            mcp_url=url,
            scopes=list(SCOPES),
            clients={
                "claude": ClientSetup(
                    name="Claude (claude.ai and Claude Desktop)",
                    instructions="Settings > Connectors > Add custom connector: name it ComStack, paste the URL, "
                    "then Connect and sign in.",
                    config={"name": "ComStack", "url": url},
                ),
                "claude_code": ClientSetup(
                    name="Claude Code",
                    instructions="Run the command, then /mcp in Claude Code to sign in.",
                    command=f"claude mcp add --transport http comstack {url}",
                ),
                "cursor": ClientSetup(
                    name="Cursor",
                    instructions="Add to ~/.cursor/mcp.json (or .cursor/mcp.json in a project); "
                    "Cursor opens the sign-in page on first use.",
                    config={"mcpServers": {"comstack": {"url": url}}},
                ),
                "chatgpt": ClientSetup(
                    name="ChatGPT",
                    instructions="Settings > Connectors > Create (developer mode): paste the URL, "
                    "choose OAuth, then sign in.",
                    config={"name": "ComStack", "url": url, "authentication": "oauth"},
                ),
            },
        )

    # -- internals --------------------------------------------------------------------------------

    async def _token(
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
        access, refresh = _token(), _token()
        access_ttl, refresh_ttl = self._ttl("access_token_ttl"), self._ttl("refresh_token_ttl")
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

    async def _purge(self, session: AsyncSession, now: datetime) -> None:
        """Drop what can no longer be used. Used codes are kept a day past expiry for replay detection."""
        await session.exec(delete(OAuthRequest).where(col(OAuthRequest.expires_at) <= now))
        await session.exec(delete(OAuthCode).where(col(OAuthCode.expires_at) <= now - timedelta(days=1)))
        await session.exec(delete(OAuthToken).where(col(OAuthToken.expires_at) <= now - timedelta(days=1)))


def _with_state(params: dict[str, str], state: str | None) -> dict[str, str]:
    return {**params, "state": state} if state is not None else params


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
