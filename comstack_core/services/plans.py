"""A project's plan (billing): tier, trial end and quotas; platform admins only."""

from __future__ import annotations

from ..auth import Principal, Role
from ..errors import InvalidInput, NotFound
from ..models import Project, ProjectTemplate
from ..rules.templates import QUOTA_NAMES
from ..schemas import PlanUpdate, ProjectView
from ..usecases import Need, use_case
from .base import Service, audit
from .projects import project_view


class PlanService(Service):
    @use_case(Need.platform_admin, writes=True)
    async def update_plan(self, principal: Principal, project_id: str, data: PlanUpdate) -> ProjectView:
        now = self.now()
        async with self.db.write() as session:
            # Locked: quotas are merged read-modify-write, so parallel changes would otherwise lose each other.
            project = await session.get(Project, project_id, with_for_update=True)
            if project is None:
                raise NotFound(f"No project {project_id!r}.", code="project_not_found")
            plan = dict(project.plan or {})
            if data.tier is not None:
                plan["tier"] = data.tier
                template = await session.get(ProjectTemplate, project.project_template_id)
                if template and data.quotas is None:
                    plan["quotas"] = {
                        q: int(template.quotas.get(data.tier, {}).get(q, 0)) for q in QUOTA_NAMES
                    }
            if data.trial_ends_at is not None:
                plan["trial_ends_at"] = data.trial_ends_at.isoformat()
            if data.quotas is not None:
                unknown = set(data.quotas) - set(QUOTA_NAMES)
                if unknown:
                    raise InvalidInput(f"Unknown quotas: {', '.join(sorted(unknown))}.", code="unknown_quota")
                plan["quotas"] = {**plan.get("quotas", {}), **data.quotas}
            if plan == dict(project.plan or {}):  # nothing changes: nothing written, no audit row
                return project_view(project, Role.manager, self.ctx.settings.public_url)
            project.plan = plan
            project.updated_at = now
            session.add(project)
            audit(
                session,
                principal,
                "plan.update",
                project_id=project_id,
                targets=[project_id],
                detail=data.model_dump(mode="json", exclude_none=True),
                at=now,
            )
            return project_view(project, Role.manager, self.ctx.settings.public_url)
