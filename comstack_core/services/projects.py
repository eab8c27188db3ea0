"""Projects and their settings, modules and plan."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from ..auth import Principal, Role
from ..clock import new_id
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..models import Account, AuditEntry, Member, Page, Project, ProjectTemplate
from ..rules.locales import (
    LOCALE_MODULES,
    check_locale_invariants,
    module_locales,
    normalize_locale,
    project_locales,
)
from ..rules.slugs import slugify, validate_project_slug
from ..rules.templates import MODULES, QUOTA_NAMES
from ..schemas import (
    AuditEntryView,
    ModuleUpdate,
    ModuleView,
    PlanUpdate,
    ProjectCreate,
    ProjectUpdate,
    ProjectView,
    SettingsUpdate,
    SettingsView,
)
from . import search_index
from .access import check_name_echo, check_quota, project_access
from .base import Service, audit
from .site_input import site_url


class ProjectService(Service):
    def view(self, project: Project, role: Role | None = None) -> ProjectView:
        data = project.model_dump()
        return ProjectView(
            **data, site_url=site_url(self.ctx.settings.public_url, project), role=role.name if role else None
        )

    async def create_project(
        self, principal: Principal, data: ProjectCreate, *, owner_user_id: str | None = None
    ) -> ProjectView:
        """Create a project; its creator (or ``owner_user_id`` when an admin creates it) becomes manager."""
        owner = owner_user_id or principal.user_id
        if principal.kind == "key":
            raise Forbidden(
                "API keys belong to one project and cannot create projects.", code="key_cannot_create"
            )
        if owner_user_id and owner_user_id != principal.user_id and not principal.is_platform_admin:
            raise Forbidden(
                "Only a platform admin can create a project for another user.", code="platform_admin_only"
            )
        if not owner:
            raise InvalidInput("Name the user who will own the project.", code="owner_required")
        check_writable_scope(principal)
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

    async def get_project(self, principal: Principal, project_id: str) -> ProjectView:
        async with self.db.read() as session:
            access = await project_access(
                session, principal, project_id, Role.viewer, write=False, now=self.now()
            )
            return self.view(access.project, access.role)

    async def update_project(self, principal: Principal, project_id: str, data: ProjectUpdate) -> ProjectView:
        now = self.now()
        async with self.db.write() as session:
            access = await project_access(session, principal, project_id, Role.manager, write=True, now=now)
            project = access.project
            if data.name is not None:
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

    async def delete_project(self, principal: Principal, project_id: str, project_name: str) -> None:
        now = self.now()
        async with self.db.write() as session:
            access = await project_access(session, principal, project_id, Role.manager, write=True, now=now)
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

    # -- modules -------------------------------------------------------------------------------------------

    async def list_modules(self, principal: Principal, project_id: str) -> list[ModuleView]:
        async with self.db.read() as session:
            access = await project_access(
                session, principal, project_id, Role.viewer, write=False, now=self.now()
            )
            template = await session.get(ProjectTemplate, access.project.project_template_id)
            allowed = set(template.module_ids) if template else set()
            return [_module_view(access.project.modules, name, name in allowed) for name in MODULES]

    async def configure_module(
        self, principal: Principal, project_id: str, module: str, data: ModuleUpdate
    ) -> ModuleView:
        if module not in MODULES:
            raise NotFound(
                f"Unknown module {module!r}; modules are: {', '.join(MODULES)}.", code="unknown_module"
            )
        now = self.now()
        async with self.db.write() as session:
            access = await project_access(
                session, principal, project_id, Role.manager, write=True, now=now, lock=True
            )
            project = access.project
            template = await session.get(ProjectTemplate, project.project_template_id)
            allowed = bool(template and module in template.module_ids)
            if data.enabled and not allowed:
                raise Forbidden(
                    f"The module {module!r} is not part of this project's template "
                    f"({project.project_template_id!r}).",
                    code="module_not_allowed",
                )
            modules = _copy_modules(project.modules)
            current = modules.setdefault(module, {"enabled": False})
            if data.config is not None:
                config = dict(data.config)
                config.pop("enabled", None)
                if "locales" in config:
                    config["locales"] = _locale_list(config["locales"])
                current.update(config)
            if data.enabled is not None:
                current["enabled"] = data.enabled
                if data.enabled and module in LOCALE_MODULES and not current.get("locales"):
                    current["locales"] = [project.default_locale]
            self._apply_locale_rules(project, project.default_locale, modules)
            project.modules = modules
            project.updated_at = now
            session.add(project)
            audit(
                session,
                principal,
                "module.configure",
                project_id=project_id,
                targets=[module],
                detail=data.model_dump(exclude_none=True),
                at=now,
            )
            return _module_view(modules, module, allowed)

    # -- settings ------------------------------------------------------------------------------------------

    async def get_settings(self, principal: Principal, project_id: str) -> SettingsView:
        async with self.db.read() as session:
            access = await project_access(
                session, principal, project_id, Role.viewer, write=False, now=self.now()
            )
            return _settings_view(access.project)

    async def update_settings(
        self, principal: Principal, project_id: str, data: SettingsUpdate
    ) -> SettingsView:
        now = self.now()
        async with self.db.write() as session:
            access = await project_access(
                session, principal, project_id, Role.manager, write=True, now=now, lock=True
            )
            project = access.project
            default = normalize_locale(data.default_locale) if data.default_locale else project.default_locale
            modules = _copy_modules(project.modules)
            for field, module in (
                ("knowledge_locales", "knowledge_base"),
                ("custom_page_locales", "custom_pages"),
            ):
                value = getattr(data, field)
                if value is not None:
                    modules.setdefault(module, {"enabled": False})["locales"] = _locale_list(value)
            self._apply_locale_rules(project, default, modules)
            if default != project.default_locale:
                used = (
                    await session.exec(
                        select(func.count())
                        .select_from(Page)
                        .where(Page.project_id == project.id, Page.language == project.default_locale)
                    )
                ).one()
                if used:
                    raise Conflict(
                        f"{used} pages are written in the current default locale {project.default_locale}; "
                        "changing the default locale would orphan them from the site root.",
                        code="default_locale_in_use",
                    )
            project.default_locale = default
            project.modules = modules
            if data.site is not None:
                settings = dict(project.settings or {})
                settings["site"] = {**settings.get("site", {}), **data.site}
                project.settings = settings
            project.updated_at = now
            session.add(project)
            audit(
                session,
                principal,
                "settings.update",
                project_id=project_id,
                targets=[project_id],
                detail=data.model_dump(exclude_none=True),
                at=now,
            )
            return _settings_view(project)

    @staticmethod
    def _apply_locale_rules(project: Project, default_locale: str, modules: dict[str, Any]) -> None:
        check_locale_invariants(default_locale, modules)
        locales = project_locales(default_locale, modules)
        check_quota(project, "max_locales", 0, len(locales))

    # -- plan (billing; platform admin) -------------------------------------------------------------------

    async def update_plan(self, principal: Principal, project_id: str, data: PlanUpdate) -> ProjectView:
        if not principal.is_platform_admin:
            raise Forbidden("Only a platform admin can change a project's plan.", code="platform_admin_only")
        # The plan is a write like any other: a read-only admin token must not change it.
        check_writable_scope(principal)
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
            return self.view(project, Role.manager)

    # -- audit ---------------------------------------------------------------------------------------------

    async def list_audit(
        self, principal: Principal, project_id: str, *, limit: int = 100, action: str | None = None
    ) -> list[AuditEntryView]:
        async with self.db.read() as session:
            await project_access(session, principal, project_id, Role.manager, write=False, now=self.now())
            statement = select(AuditEntry).where(AuditEntry.project_id == project_id)
            if action:
                statement = statement.where(AuditEntry.action == action)
            rows = await session.exec(
                statement.order_by(col(AuditEntry.created_at).desc()).limit(min(max(limit, 1), 1000))
            )
            return [AuditEntryView.model_validate(r) for r in rows]


def check_writable_scope(principal: Principal) -> None:
    if principal.read_only:
        raise Forbidden("This credential is read-only (scope comstack:read).", code="read_only_scope")


def _copy_modules(modules: dict[str, Any]) -> dict[str, Any]:
    return {k: dict(v) for k, v in (modules or {}).items()}


def _locale_list(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise InvalidInput(
            "locales must be a list of BCP-47 tags, e.g. ['en', 'es-MX'].", code="invalid_locale"
        )
    out: list[str] = []
    for tag in value:
        norm = normalize_locale(tag)
        if norm not in out:
            out.append(norm)
    return out


def _module_view(modules: dict[str, Any], name: str, allowed: bool) -> ModuleView:
    config = dict(modules.get(name) or {})
    is_on = bool(config.pop("enabled", False))
    return ModuleView(name=name, enabled=is_on, allowed=allowed, config=config)


def _settings_view(project: Project) -> SettingsView:
    return SettingsView(
        default_locale=project.default_locale,
        knowledge_locales=module_locales(project.modules, "knowledge_base"),
        custom_page_locales=module_locales(project.modules, "custom_pages"),
        locales=project_locales(project.default_locale, project.modules),
        site=(project.settings or {}).get("site", {}),
    )
