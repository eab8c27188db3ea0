"""OAuth 2.1 authorization server storage (SPEC §10).

Every secret a client or browser holds (authorization codes, access and refresh tokens, the handle of
a pending sign-in, its CSRF token and browser binding) is stored only as its SHA-256 hex digest.

A *grant* is one user's consent to one client: the authorization code and every token issued from it
belong to it. Revoking the grant revokes the whole family at once, which is what a reused code, a
replayed refresh token or a call to ``/oauth/revoke`` does.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from .types import JsonType, UTCDateTime


class OAuthClient(SQLModel, table=True):
    """A dynamically registered public client (RFC 7591); ``info`` is the record as registered."""

    __tablename__ = "oauth_clients"

    id: str = Field(primary_key=True)
    client_name: str | None = None
    redirect_uris: list[str] = Field(default_factory=list, sa_column=Column(JsonType, nullable=False))
    info: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JsonType, nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class OAuthRequest(SQLModel, table=True):
    """An authorization request between ``/oauth/authorize`` and the user's answer on the consent page."""

    __tablename__ = "oauth_requests"

    id: str = Field(primary_key=True)
    handle_hash: str = Field(unique=True, index=True)
    client_id: str = Field(foreign_key="oauth_clients.id", index=True, ondelete="CASCADE")
    redirect_uri: str
    redirect_uri_explicit: bool
    scopes: list[str] = Field(default_factory=list, sa_column=Column(JsonType, nullable=False))
    code_challenge: str
    state: str | None = None
    resource: str
    browser_hash: str | None = None
    csrf_hash: str | None = None
    user_id: str | None = Field(default=None, foreign_key="users.id", ondelete="CASCADE")
    upstream_state_hash: str | None = Field(default=None, index=True)
    # The upstream OpenID Connect round trip's own nonce and PKCE verifier (ours to send, not a token
    # of this server), kept until its callback.
    upstream: dict[str, Any] | None = Field(default=None, sa_column=Column(JsonType, nullable=True))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


class OAuthGrant(SQLModel, table=True):
    """One consent: the token family of one user and one client."""

    __tablename__ = "oauth_grants"

    id: str = Field(primary_key=True)
    client_id: str = Field(foreign_key="oauth_clients.id", index=True, ondelete="CASCADE")
    user_id: str = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    scopes: list[str] = Field(default_factory=list, sa_column=Column(JsonType, nullable=False))
    resource: str
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # When the family's last-issued token expires; a grant past it is no longer a connection.
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    last_used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    revoked_reason: str | None = None


class OAuthCode(SQLModel, table=True):
    __tablename__ = "oauth_codes"

    code_hash: str = Field(primary_key=True)
    grant_id: str = Field(foreign_key="oauth_grants.id", index=True, ondelete="CASCADE")
    client_id: str
    redirect_uri: str
    redirect_uri_explicit: bool
    code_challenge: str
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class OAuthToken(SQLModel, table=True):
    """An access or refresh token. A refresh token's ``used_at`` marks it rotated: presenting it again
    is a replay."""

    __tablename__ = "oauth_tokens"

    token_hash: str = Field(primary_key=True)
    kind: str  # "access" | "refresh"
    grant_id: str = Field(foreign_key="oauth_grants.id", index=True, ondelete="CASCADE")
    scopes: list[str] = Field(default_factory=list, sa_column=Column(JsonType, nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
