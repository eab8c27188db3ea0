"""A project's settings: its default locale, the locales of its knowledge and custom pages, its site
settings; and the locale rules module changes follow too."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func
from sqlmodel import select

from ..auth import Principal
from ..errors import Conflict, InvalidInput
from ..models import Page, Project
from ..rules import reader_mcp
from ..rules.locales import check_locale_invariants, module_locales, normalize_locale, project_locales
from ..schemas import SettingsUpdate, SettingsView
from ..usecases import Need, use_case
from .access import check_quota, project_access
from .base import Service, audit


class ProjectSettingsService(Service):
    @use_case(Need.viewer, writes=False)
    async def get_settings(self, principal: Principal, project_id: str) -> SettingsView:
        async with self.db.read() as session:
            access = await project_access(session, principal, project_id, now=self.now())
            return settings_view(access.project)

    @use_case(Need.manager, writes=True)
    async def update_settings(
        self, principal: Principal, project_id: str, data: SettingsUpdate
    ) -> SettingsView:
        now = self.now()
        if not data.model_fields_set:  # an empty PATCH changes nothing, so it writes nothing (no audit row)
            async with self.db.read() as session:
                access = await project_access(session, principal, project_id, now=now)
                return settings_view(access.project)
        async with self.db.write() as session:
            access = await project_access(session, principal, project_id, now=now, lock=True)
            project = access.project
            default = normalize_locale(data.default_locale) if data.default_locale else project.default_locale
            modules = copy_modules(project.modules)
            for field, module in (
                ("knowledge_locales", "knowledge_base"),
                ("custom_page_locales", "custom_pages"),
            ):
                value = getattr(data, field)
                if value is not None:
                    modules.setdefault(module, {"enabled": False})["locales"] = locale_list(value)
            apply_locale_rules(project, default, modules)
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
                settings["site"] = check_site_settings({**settings.get("site", {}), **data.site})
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
            return settings_view(project)


SITE_MAX_TEXT = 2_000  # characters in one site setting (a description, a footer line, a tagline)
SITE_MAX_BYTES = 16_384  # the whole of settings.site, JSON-encoded


def check_site_settings(site: dict[str, Any]) -> dict[str, Any]:
    """Site settings are short texts shown on every page; bound them so no one stores a book there."""
    reader_mcp.check(site)
    stack: list[tuple[str, Any]] = [(k, v) for k, v in site.items()]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str) and len(value) > SITE_MAX_TEXT:
            raise InvalidInput(
                f"settings.site.{where} is {len(value)} characters; a site setting holds at most "
                f"{SITE_MAX_TEXT}.",
                code="invalid_settings",
            )
        if isinstance(value, dict):
            stack.extend((f"{where}.{k}", v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((f"{where}[{n}]", v) for n, v in enumerate(value))
    size = len(json.dumps(site, ensure_ascii=False).encode())
    if size > SITE_MAX_BYTES:
        raise InvalidInput(
            f"settings.site would be {size} bytes; all site settings together hold at most {SITE_MAX_BYTES}.",
            code="invalid_settings",
        )
    return site


def apply_locale_rules(project: Project, default_locale: str, modules: dict[str, Any]) -> None:
    """The locale invariants, and the plan's locale quota, for a project about to have ``modules``."""
    check_locale_invariants(default_locale, modules)
    locales = project_locales(default_locale, modules)
    check_quota(project, "max_locales", 0, len(locales))


def copy_modules(modules: dict[str, Any]) -> dict[str, Any]:
    return {k: dict(v) for k, v in (modules or {}).items()}


def locale_list(value: Any) -> list[str]:
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


def settings_view(project: Project) -> SettingsView:
    return SettingsView(
        default_locale=project.default_locale,
        knowledge_locales=module_locales(project.modules, "knowledge_base"),
        custom_page_locales=module_locales(project.modules, "custom_pages"),
        locales=project_locales(project.default_locale, project.modules),
        site=(project.settings or {}).get("site", {}),
    )
