"""Projects: create, list, read, rename, delete, and their audit trail.

A project's modules, settings and plan have services of their own (``modules``, ``project_settings``,
``plans``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from ..auth import Principal, Role
from ..clock import new_id
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..live.lines import redacted
from ..models import Account, AuditEntry, Member, Project, ProjectTemplate
from ..publishing import deploy
from ..publishing.build_input import site_url
from ..rules.locales import LOCALE_MODULES, normalize_locale
from ..rules.slugs import slugify, validate_project_slug
from ..rules.templates import QUOTA_NAMES
from ..schemas import AuditEntryView, ProjectCreate, ProjectUpdate, ProjectView
from ..usecases import Need, use_case
from .access import check_name_echo, project_access
from .base import Service, audit
from .page_store import search_index


class ProjectService(Service):
    def view(self, project: Project, role: Role | None = None) -> ProjectView:
        return project_view(project, role, self.ctx.settings.public_url)

    @use_case(Need.person, writes=True)
    async def create_project(
        self, principal: Principal, data: ProjectCreate, *, owner_user_id: str | None = None
    ) -> ProjectView:
        """Create a project; its creator (or ``owner_user_id`` when an admin creates it) becomes manager."""
        owner = owner_user_id or principal.user_id
        if owner_user_id and owner_user_id != principal.user_id and not principal.is_platform_admin:
            raise Forbidden(
                "Only a platform admin can create a project for another user.", code="platform_admin_only"
            )
        if not owner:
            raise InvalidInput("Name the user who will own the project.", code="owner_required")
        locale = normalize_locale(data.default_locale)
        now = self.now()
        async with self.db.write() as session:
            template = await session.get(ProjectTemplate, data.template_id)
            if template is None or template.deleted_at is not None:
                raise InvalidInput(
                    f"Unknown project template {data.template_id!r}; built-in ones are 'knowledge-site' and "
                    "'business-voice'.",
                    code="unknown_template",
                )
            account = (await session.exec(select(Account).where(Account.owner_user_id == owner))).first()
            if account is None:
                raise NotFound(f"No user {owner!r} with an account.", code="user_not_found")
            base_slug = data.slug or slugify(data.name)
            modules: dict[str, Any] = {}
            for name in template.default_modules:
                modules[name] = {"enabled": True}
                if name in LOCALE_MODULES:
                    modules[name]["locales"] = [locale]
            tier_quotas = dict(template.quotas.get("trial", {}))
            project = Project(
                id=new_id("prj"),
                account_id=account.id,
                name=data.name.strip(),
                slug=await self._free_slug(session, base_slug, explicit=bool(data.slug)),
                default_locale=locale,
                project_template_id=template.id,
                modules=modules,
                plan={
                    "tier": "trial",
                    "trial_ends_at": (now + timedelta(days=template.trial_days)).isoformat(),
                    "quotas": {q: int(tier_quotas.get(q, 0)) for q in QUOTA_NAMES},
                },
                settings={"site": {}},
                doc_template_ids=list(template.doc_template_ids),
                theme={},
                created_at=now,
                updated_at=now,
            )
            # Two creations racing for one slug both see it free; on PostgreSQL the later insert then hits the
            # unique index. Retry in a savepoint with the next free slug rather than fail with a driver error.
            for attempt in range(5):
                try:
                    async with session.begin_nested():
                        session.add(project)
                        await session.flush()
                    break
                except IntegrityError:
                    if data.slug or attempt == 4:
                        raise Conflict(
                            f"The project slug {project.slug!r} is taken; choose another.", code="slug_taken"
                        ) from None
                    project.slug = await self._free_slug(session, base_slug, explicit=False)
            session.add(Member(project_id=project.id, user_id=owner, role=Role.manager.name, created_at=now))
            audit(session, principal, "project.create", project_id=project.id, targets=[project.id], at=now)
            return self.view(project, Role.manager)

    @staticmethod
    async def _free_slug(session: Any, base: str, *, explicit: bool) -> str:
        validate_project_slug(base)
        taken = set(
            (await session.exec(select(Project.slug).where(col(Project.slug).startswith(base)))).all()
        )
        if base not in taken:
            return base
        if explicit:
            raise Conflict(f"The project slug {base!r} is taken; choose another.", code="slug_taken")
        n = 2
        while f"{base}-{n}" in taken:
            n += 1
        return f"{base}-{n}"

    @use_case(Need.caller, writes=False)
    async def list_my_projects(self, principal: Principal) -> list[ProjectView]:
        async with self.db.read() as session:
            if principal.is_platform_admin:
                projects = list(await session.exec(select(Project).order_by(Project.name)))
                return [self.view(p, Role.manager) for p in projects]
            if principal.kind == "key":
                project = await session.get(Project, principal.key_project_id)
                return [self.view(project, principal.key_role)] if project else []
            rows = await session.exec(
                select(Project, Member.role)
                .join(Member)
                .where(Member.user_id == principal.user_id)
                .order_by(Project.name)
            )
            return [self.view(p, Role.parse(r)) for p, r in rows]

    @use_case(Need.viewer, writes=False)
    async def get_project(self, principal: Principal, project_id: str) -> ProjectView:
        async with self.db.read() as session:
            access = await project_access(session, principal, project_id, now=self.now())
            return self.view(access.project, access.role)

    @use_case(Need.manager, writes=True)
    async def update_project(self, principal: Principal, project_id: str, data: ProjectUpdate) -> ProjectView:
        now = self.now()
        async with self.db.write() as session:
            access = await project_access(session, principal, project_id, now=now)
            project = access.project
            if data.name is None or data.name.strip() == project.name:
                return self.view(project, access.role)  # nothing changes: nothing written, no audit row
            project.name = data.name.strip()
            project.updated_at = now
            session.add(project)
            audit(
                session,
                principal,
                "project.update",
                project_id=project_id,
                targets=[project_id],
                detail=data.model_dump(exclude_none=True),
                at=now,
            )
            return self.view(project, access.role)

    @use_case(Need.manager, writes=True)
    async def delete_project(self, principal: Principal, project_id: str, project_name: str) -> None:
        now = self.now()
        async with self.db.write() as session:
            access = await project_access(session, principal, project_id, now=now)
            check_name_echo(access.project, project_name)
            await search_index.remove_project(session, project_id)
            await session.delete(access.project)
            # Project rows cascade; the audit trail outlives the project (no foreign key on purpose).
            audit(
                session,
                principal,
                "project.delete",
                project_id=project_id,
                targets=[project_id],
                detail={"name": access.project.name},
                at=now,
            )
        # Once the deletion is committed: a failed transaction must not have taken the site down.
        await deploy.remove_project_sites(self.ctx.settings.sites_dir, project_id)

    # -- audit ---------------------------------------------------------------------------------------------

    @use_case(Need.manager, writes=False)
    async def list_audit(
        self, principal: Principal, project_id: str, *, limit: int = 100, action: str | None = None
    ) -> list[AuditEntryView]:
        async with self.db.read() as session:
            await project_access(session, principal, project_id, now=self.now())
            statement = select(AuditEntry).where(AuditEntry.project_id == project_id)
            if action:
                statement = statement.where(AuditEntry.action == action)
            rows = await session.exec(
                statement.order_by(col(AuditEntry.created_at).desc()).limit(min(max(limit, 1), 1000))
            )
            return [AuditEntryView.model_validate(r) for r in rows]


def project_view(project: Project, role: Role | None, public_url: str) -> ProjectView:
    data = project.model_dump()
    data["modules"] = redacted(data.get("modules") or {})
    return ProjectView(**data, site_url=site_url(public_url, project), role=role.name if role else None)
