"""Service API keys: ``cs_`` + 40 base62 characters, shown once, stored as SHA-256."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, or_
from sqlmodel import col, select

from ..auth import (
    SCOPE_FULL,
    Door,
    Principal,
    Role,
    generate_api_key,
    hash_secret,
    key_display_prefix,
    looks_like_api_key,
)
from ..clock import new_id
from ..errors import InvalidInput, NotFound, ProjectMismatch, Unauthenticated
from ..models import ApiKey
from ..schemas import KeyCreate, KeyCreated, KeyView
from ..usecases import Need, use_case
from .access import check_quota, project_access, require_module
from .base import Context, Service, audit

# Writing last_used_at on every request would turn reads into writes; a minute's precision is enough.
LAST_USED_PRECISION = timedelta(minutes=1)


# A verified key is remembered briefly so each request does not cost a database round trip. Revoking
# forgets it at once in this process; other server processes see a revocation within this many seconds.
KEY_CACHE_SECONDS = 5.0


@dataclass
class _Verified:
    key_id: str
    project_id: str
    role: str
    revoked: bool
    expires_at: datetime | None
    last_used_at: datetime | None
    cached_until: float
    # The Principal for each door, built once per entry (it is frozen, so every request may share it).
    principals: dict[str, Principal] = field(default_factory=dict)

    def principal(self, door: Door) -> Principal:
        found = self.principals.get(door)
        if found is None:
            found = self.principals[door] = Principal(
                kind="key",
                key_id=self.key_id,
                key_project_id=self.project_id,
                key_role=Role.parse(self.role),
                scopes=frozenset({SCOPE_FULL}),
                door=door,
            )
        return found


class KeyService(Service):
    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self._verified: dict[str, _Verified] = {}

    @use_case(Need.manager, writes=True)
    async def create_key(self, principal: Principal, project_id: str, data: KeyCreate) -> KeyCreated:
        now = self.now()
        if data.expires_at is not None and data.expires_at <= now:
            raise InvalidInput("expires_at must be in the future.", code="invalid_expiry")
        async with self.db.write() as session:
            access = await project_access(session, principal, project_id, now=now, lock=True)
            require_module(access.project, "api_keys")
            active = (
                await session.exec(
                    select(func.count())
                    .select_from(ApiKey)
                    .where(
                        ApiKey.project_id == project_id,
                        col(ApiKey.revoked_at).is_(None),
                        # An expired key can no longer authenticate, so it holds no place in the quota.
                        or_(col(ApiKey.expires_at).is_(None), col(ApiKey.expires_at) > now),
                    )
                )
            ).one()
            check_quota(access.project, "max_keys", active)
            raw = generate_api_key()
            key = ApiKey(
                id=new_id("key"),
                project_id=project_id,
                name=data.name,
                prefix=key_display_prefix(raw),
                key_hash=hash_secret(raw),
                role=data.role,
                created_by=principal.actor_id,
                created_at=now,
                expires_at=data.expires_at,
            )
            session.add(key)
            audit(
                session,
                principal,
                "key.create",
                project_id=project_id,
                targets=[key.id],
                detail={"role": data.role, "prefix": key.prefix},
                at=now,
            )
            return KeyCreated(**KeyView.model_validate(key).model_dump(), key=raw)

    @use_case(Need.manager, writes=False)
    async def list_keys(self, principal: Principal, project_id: str) -> list[KeyView]:
        async with self.db.read() as session:
            await project_access(session, principal, project_id, now=self.now())
            rows = await session.exec(
                select(ApiKey).where(ApiKey.project_id == project_id).order_by(col(ApiKey.created_at))
            )
            return [KeyView.model_validate(k) for k in rows]

    @use_case(Need.manager, writes=True)
    async def revoke_key(self, principal: Principal, project_id: str, key_id: str) -> KeyView:
        now = self.now()
        async with self.db.write() as session:
            await project_access(session, principal, project_id, now=now)
            key = await session.get(ApiKey, key_id)
            if key is None or key.project_id != project_id:
                raise NotFound(f"No key {key_id!r} in this project.", code="key_not_found")
            self._forget(key_id)
            if key.revoked_at is None:
                key.revoked_at = now
                session.add(key)
                audit(session, principal, "key.revoke", project_id=project_id, targets=[key_id], at=now)
            return KeyView.model_validate(key)

    async def authenticate(self, raw_key: str, project_id: str | None, *, door: Door) -> Principal:
        """Resolve ``x-api-key`` (+ ``x-project-id``) to a Principal, or raise Unauthenticated."""
        if not looks_like_api_key(raw_key):
            raise Unauthenticated(
                "Invalid API key format: keys look like 'cs_' followed by 40 letters and digits.",
                code="invalid_api_key",
            )
        now = self.now()
        key = await self._lookup(hash_secret(raw_key))
        if key is None:
            raise Unauthenticated("Unknown API key.", code="invalid_api_key")
        if key.revoked:
            raise Unauthenticated("This API key was revoked.", code="revoked_api_key")
        if key.expires_at is not None and key.expires_at <= now:
            raise Unauthenticated("This API key has expired.", code="expired_api_key")
        if project_id is None:
            raise Unauthenticated("Send the x-project-id header with the API key.", code="missing_project_id")
        if project_id != key.project_id:
            raise ProjectMismatch(
                f"This API key belongs to project {key.project_id!r}, but x-project-id names {project_id!r}."
            )
        if key.last_used_at is None or now - key.last_used_at >= LAST_USED_PRECISION:
            key.last_used_at = now
            async with self.db.write() as session:
                stored = await session.get(ApiKey, key.key_id)
                if stored is not None:
                    stored.last_used_at = now
                    session.add(stored)
        return key.principal(door)

    async def _lookup(self, key_hash: str) -> _Verified | None:
        cached = self._verified.get(key_hash)
        if cached is not None and cached.cached_until > time.monotonic():
            return cached
        async with self.db.read() as session:
            key = (await session.exec(select(ApiKey).where(ApiKey.key_hash == key_hash))).first()
        if key is None:
            self._verified.pop(key_hash, None)
            return None
        if len(self._verified) > 10_000:  # bounded: many distinct keys just mean more lookups
            self._verified.clear()
        entry = _Verified(
            key.id,
            key.project_id,
            key.role,
            key.revoked_at is not None,
            key.expires_at,
            key.last_used_at,
            time.monotonic() + KEY_CACHE_SECONDS,
        )
        self._verified[key_hash] = entry
        return entry

    def _forget(self, key_id: str) -> None:
        for key_hash, entry in list(self._verified.items()):
            if entry.key_id == key_id:
                del self._verified[key_hash]
