"""Confirmation tokens: a dry run hands one out with its manifest; publish-confirm spends it, once, within its
lifetime, and only for the manifest it was issued with. Stored as SHA-256 digests."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import defer
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..auth import hash_secret
from ..errors import Conflict, InvalidInput
from ..models import PublishToken
from ..models.types import json_text
from .manifest import PlannedManifest


def issue_token(
    session: AsyncSession,
    project_id: str,
    planned: PlannedManifest,
    *,
    created_by: str | None,
    now: datetime,
    ttl: timedelta,
) -> tuple[str, datetime]:
    """A new token for the dry run's manifest: the raw token and when it expires."""
    raw = secrets.token_hex(32)
    expires = now + ttl
    session.add(
        PublishToken(
            token_hash=hash_secret(raw),
            project_id=project_id,
            manifest_hash=planned.digest,
            # What a drift is told by (``describe_drift``), not the whole manifest: the answer already carries
            # that, and at 50,000 pages a second copy as JSON was tens of MB more in the server at once.
            manifest=json_text(planned.record),
            created_by=created_by,
            created_at=now,
            expires_at=expires,
        )
    )
    return raw, expires


async def check_token(session: AsyncSession, project_id: str, raw: str, now: datetime) -> PublishToken:
    """The project's token, if it is unused and alive; without its manifest (megabytes for a site of
    thousands of pages, and needed only to describe a drift: ``token_manifest``)."""
    token = (
        await session.exec(
            select(PublishToken)
            .options(defer(PublishToken.manifest, raiseload=True))  # type: ignore[arg-type]
            .where(col(PublishToken.token_hash) == hash_secret(raw.strip()))
        )
    ).first()
    if token is None or token.project_id != project_id:
        raise InvalidInput(
            "Unknown confirmation token for this project: run publish (the dry run) again and use the "
            "token it returns.",
            code="invalid_token",
        )
    if token.used_at is not None:
        raise Conflict(
            "This confirmation token was already used; run publish again for a new one.",
            code="token_used",
        )
    if token.expires_at <= now:
        # The lifetime it was issued with: the installation's setting, which need not be the default.
        lifetime = describe_duration(token.expires_at - token.created_at)
        raise Conflict(
            f"This confirmation token expired (tokens last {lifetime}); run publish again.",
            code="token_expired",
        )
    return token


async def token_manifest(session: AsyncSession, token: PublishToken) -> dict[str, Any]:
    """What the manifest ``token`` was issued with changes: its pages' paths and change types."""
    manifest = (
        await session.exec(select(PublishToken.manifest).where(col(PublishToken.token_hash) == token.token_hash))
    ).one()
    return dict(manifest)


def describe_duration(span: timedelta) -> str:
    """'5 minutes', '90 seconds', '2 hours': whole units as a person would say them."""
    seconds = max(0, round(span.total_seconds()))
    for unit, size in (("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


async def spend_token(session: AsyncSession, token: PublishToken, now: datetime) -> None:
    # Single use even under concurrency: only one UPDATE can flip used_at from NULL.
    consumed = await session.exec(
        update(PublishToken)
        .where(
            col(PublishToken.token_hash) == token.token_hash,
            col(PublishToken.used_at).is_(None),
        )
        .values(used_at=now)
    )
    if consumed.rowcount != 1:
        raise Conflict("This confirmation token was already used.", code="token_used")
