"""Authorization requests: from ``/oauth/authorize`` through sign-in (password or upstream OpenID Connect) to
the user's consent, which issues the grant and its single-use code, or their refusal.

Each request is addressed by a random handle and bound to the browser that first opened it; every form
post must carry that browser's secret and the CSRF token of the page it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..auth import SCOPE_FULL, Principal, hash_secret
from ..clock import new_id
from ..errors import Forbidden, InvalidInput, NotFound, Unauthenticated
from ..models import OAuthClient, OAuthCode, OAuthGrant, OAuthRequest, OAuthToken, User
from ..rules.pkce import valid_s256_challenge
from ..rules.redirects import canonical_resource
from ..services.base import audit
from ..services.users import normalize_email
from .base import SCOPES, OAuthPart, new_secret, same_secret


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
class Redirect:
    """Where the browser goes back to the client, and the query parameters it carries."""

    uri: str
    params: dict[str, str]


class AuthorizationRequests(OAuthPart):
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
        if not valid_s256_challenge(code_challenge):
            raise InvalidInput(
                "code_challenge must be the S256 transform of the code verifier: 43 characters of "
                "base64url (RFC 7636 §4.2).",
                code="invalid_request",
            )
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
        handle, now = new_secret(), self.now()
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
                    expires_at=now + self.ttl("sign_in_ttl"),
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
                browser = browser or new_secret()
                row.browser_hash = hash_secret(browser)
            elif browser is None or not same_secret(browser, row.browser_hash):
                raise Forbidden(
                    "This sign-in was started in another browser. Go back to your app and connect "
                    "again from this one.",
                    code="oauth_other_browser",
                )
            csrf = new_secret()
            row.csrf_hash = hash_secret(csrf)
            session.add(row)
            return await self._pending(session, row), browser, csrf

    async def check_form(self, handle: str | None, browser: str | None, csrf: str | None) -> Pending:
        """A form post is accepted only from the page this browser was shown (CSRF token + binding)."""
        async with self.db.read() as session:
            row = await self._request(session, handle)
            if not (same_secret(browser, row.browser_hash) and same_secret(csrf, row.csrf_hash)):
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
            if not same_secret(browser, row.browser_hash):
                raise Forbidden("This sign-in was started in another browser.", code="oauth_other_browser")
            handle, data = new_secret(), dict(row.upstream or {})
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
                expires_at=now + self.ttl("code_ttl"),
            )
            code = new_secret()
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
                    expires_at=now + self.ttl("code_ttl"),
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

    async def _purge(self, session: AsyncSession, now: datetime) -> None:
        """Drop what can no longer be used. Used codes are kept a day past expiry for replay detection."""
        await session.exec(delete(OAuthRequest).where(col(OAuthRequest.expires_at) <= now))
        await session.exec(delete(OAuthCode).where(col(OAuthCode.expires_at) <= now - timedelta(days=1)))
        await session.exec(delete(OAuthToken).where(col(OAuthToken.expires_at) <= now - timedelta(days=1)))


def _with_state(params: dict[str, str], state: str | None) -> dict[str, str]:
    return {**params, "state": state} if state is not None else params
