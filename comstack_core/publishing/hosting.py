"""Where a published site is on disk, for the door that hosts it (public: no principal)."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import col, select

from ..models import Domain, Project
from ..services.base import Service
from . import deploy


class HostingService(Service):
    async def locate(self, *, slug: str | None = None, host: str | None = None) -> Path | None:
        """The directory served right now for a project slug or a verified custom domain, if published."""
        async with self.db.read() as session:
            if slug is not None:
                project_id = (await session.exec(select(Project.id).where(Project.slug == slug))).first()
            elif host is not None:
                project_id = (
                    await session.exec(
                        select(Domain.project_id).where(
                            Domain.hostname == host.lower().rstrip("."), col(Domain.verified).is_(True)
                        )
                    )
                ).first()
            else:
                return None
        if project_id is None:
            return None
        return deploy.served_dir(self.ctx.settings.sites_dir, project_id)
