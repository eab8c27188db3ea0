"""Service API keys: ``cs_`` + 40 base62 characters, shown once, stored as SHA-256."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
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
from ..models import ApiKey, Project
from ..schemas import KeyCreate, KeyCreated, KeyView
from .access import check_quota, project_access, require_module
from .base import Service, audit

# Writing last_used_at on every request would turn reads into writes; a minute's precision is enough.
LAST_USED_PRECISION = timedelta(minutes=1)


class KeyService(Service):
    async def create_key(self, principal: Principal, project_id: str, data: KeyCreate) -> KeyCreated:
        now = self.now()
        if data.expires_at is not None and data.expires_at <= now:
            raise InvalidInput("expires_at must be in the future.", code="invalid_expiry")
        async with self.db.write() as session:
            access = await project_access(
                session, principal, project_id, Role.manager, write=True, now=now, lock=True
            )
            require_module(access.project, "api_keys")
            active = (
                await session.exec(
                    select(func.count())
                    .select_from(ApiKey)
                    .where(ApiKey.project_id == project_id, col(ApiKey.revoked_at).is_(None))
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

    async def list_keys(self, principal: Principal, project_id: str) -> list[KeyView]:
        async with self.db.read() as session:
            await project_access(session, principal, project_id, Role.manager, write=False, now=self.now())
            rows = await session.exec(
                select(ApiKey).where(ApiKey.project_id == project_id).order_by(col(ApiKey.created_at))
            )
            return [KeyView.model_validate(k) for k in rows]

    async def revoke_key(self, principal: Principal, project_id: str, key_id: str) -> KeyView:
        now = self.now()
        async with self.db.write() as session:
            await project_access(session, principal, project_id, Role.manager, write=True, now=now)
            key = await session.get(ApiKey, key_id)
            if key is None or key.project_id != project_id:
                raise NotFound(f"No key {key_id!r} in this project.", code="key_not_found")
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
        async with self.db.read() as session:
            row = (
                await session.exec(
                    select(ApiKey, Project).join(Project).where(ApiKey.key_hash == hash_secret(raw_key))
                )
            ).first()
        if row is None:
            raise Unauthenticated("Unknown API key.", code="invalid_api_key")
        key, project = row
        if key.revoked_at is not None:
            raise Unauthenticated("This API key was revoked.", code="revoked_api_key")
        if key.expires_at is not None and key.expires_at <= now:
            raise Unauthenticated("This API key has expired.", code="expired_api_key")
        if project_id is None:
            raise Unauthenticated("Send the x-project-id header with the API key.", code="missing_project_id")
        if project_id != project.id:
            raise ProjectMismatch(
                f"This API key belongs to project {project.id!r}, but x-project-id names {project_id!r}."
            )
        if key.last_used_at is None or now - key.last_used_at >= LAST_USED_PRECISION:
            async with self.db.write() as session:
                stored = await session.get(ApiKey, key.id)
                if stored is not None:
                    stored.last_used_at = now
                    session.add(stored)
        return Principal(
            kind="key",
            key_id=key.id,
            key_project_id=project.id,
            key_role=Role.parse(key.role),
            scopes=frozenset({SCOPE_FULL}),
            door=door,
        )
