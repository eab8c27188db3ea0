from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from ..auth import Principal
from ..clock import Clock, new_id
from ..config import Settings
from ..db import Database
from ..models import AuditEntry


@dataclass
class Context:
    db: Database
    settings: Settings
    clock: Clock


class Service:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    @property
    def db(self) -> Database:
        return self.ctx.db

    def now(self) -> datetime:
        return self.ctx.clock()


def audit_values(
    principal: Principal,
    action: str,
    *,
    project_id: str | None,
    targets: list[str] | None = None,
    detail: dict[str, Any] | None = None,
    error_code: str | None = None,
    at: datetime,
) -> dict[str, Any]:
    """Who did what through which door: an ``AuditEntry``'s attributes (which are its column names)."""
    return {
        "id": new_id("aud"),
        "project_id": project_id,
        "actor_kind": principal.kind,
        "actor_id": principal.actor_id,
        "door": principal.door,
        "action": action,
        "target_ids": targets or [],
        "detail": detail or {},
        "error_code": error_code,
        "created_at": at,
    }


def audit(
    session: AsyncSession,
    principal: Principal,
    action: str,
    *,
    project_id: str | None,
    targets: list[str] | None = None,
    detail: dict[str, Any] | None = None,
    error_code: str | None = None,
    at: datetime,
) -> None:
    """Record who did what through which door. Added to the caller's transaction so it commits with it."""
    session.add(
        AuditEntry(
            **audit_values(
                principal,
                action,
                project_id=project_id,
                targets=targets,
                detail=detail,
                error_code=error_code,
                at=at,
            )
        )
    )
