"""A project's modules: which its template allows, which are on, and their configuration."""

from __future__ import annotations

from typing import Any

from ..auth import Principal
from ..errors import Forbidden, NotFound
from ..live.lines import clean_config, redacted
from ..live.numbers import sync_numbers
from ..models import ProjectTemplate
from ..rules.locales import LOCALE_MODULES
from ..rules.templates import MODULES
from ..schemas import ModuleUpdate, ModuleView
from ..usecases import Need, use_case
from .access import project_access
from .base import Service, audit
from .project_settings import apply_locale_rules, copy_modules, locale_list


class ModuleService(Service):
    @use_case(Need.viewer, writes=False)
    async def list_modules(self, principal: Principal, project_id: str) -> list[ModuleView]:
        async with self.db.read() as session:
            access = await project_access(session, principal, project_id, now=self.now())
            template = await session.get(ProjectTemplate, access.project.project_template_id)
            allowed = set(template.module_ids) if template else set()
            return [module_view(access.project.modules, name, name in allowed) for name in MODULES]

    @use_case(Need.manager, writes=True)
    async def configure_module(
        self, principal: Principal, project_id: str, module: str, data: ModuleUpdate
    ) -> ModuleView:
        if module not in MODULES:
            raise NotFound(
                f"Unknown module {module!r}; modules are: {', '.join(MODULES)}.", code="unknown_module"
            )
        now = self.now()
        async with self.db.write() as session:
            access = await project_access(session, principal, project_id, now=now, lock=True)
            project = access.project
            template = await session.get(ProjectTemplate, project.project_template_id)
            allowed = bool(template and module in template.module_ids)
            if data.enabled and not allowed:
                raise Forbidden(
                    f"The module {module!r} is not part of this project's template "
                    f"({project.project_template_id!r}).",
                    code="module_not_allowed",
                )
            modules = copy_modules(project.modules)
            current = modules.setdefault(module, {"enabled": False})
            if data.config is not None:
                config = clean_config(module, data.config)
                config.pop("enabled", None)
                if "locales" in config:
                    config["locales"] = locale_list(config["locales"])
                current.update(config)
            if data.enabled is not None:
                current["enabled"] = data.enabled
                if data.enabled and module in LOCALE_MODULES and not current.get("locales"):
                    current["locales"] = [project.default_locale]
            if modules == copy_modules(project.modules):
                return module_view(modules, module, allowed)  # nothing changes: nothing written, no audit row
            apply_locale_rules(project, project.default_locale, modules)
            if module == "voice_phone":
                await sync_numbers(session, project, modules)
            project.modules = modules
            project.updated_at = now
            session.add(project)
            audit(
                session,
                principal,
                "module.configure",
                project_id=project_id,
                targets=[module],
                detail=_audit_detail(module, data),
                at=now,
            )
            return module_view(modules, module, allowed)


def module_view(modules: dict[str, Any], name: str, allowed: bool) -> ModuleView:
    config = dict(redacted(modules).get(name) or {})
    is_on = bool(config.pop("enabled", False))
    return ModuleView(name=name, enabled=is_on, allowed=allowed, config=config)


def _audit_detail(module: str, data: ModuleUpdate) -> dict[str, Any]:
    detail = data.model_dump(exclude_none=True)
    if "config" in detail:  # the audit trail is readable by managers: no secrets in it
        detail["config"] = redacted({module: detail["config"]})[module]
    return detail
