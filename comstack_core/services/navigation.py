"""Sidebar groups, header navigation and theme. Edits are pending until the next publish."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..auth import Principal
from ..clock import new_id
from ..errors import InvalidInput, NotFound
from ..models import HeaderNavItem, Project, SidebarGroup
from ..rules.contrast import check_contrast
from ..rules.locales import project_locales
from ..rules.navigation import header_item_values, sidebar_group_values
from ..rules.urls import is_https_url
from ..schemas import (
    HeaderNavItemInput,
    HeaderNavItemPatch,
    HeaderNavItemView,
    NavigationUpdate,
    NavigationView,
    ReorderInput,
    SidebarGroupInput,
    SidebarGroupPatch,
    SidebarGroupView,
    ThemeUpdate,
    ThemeView,
)
from ..schemas.base import Input
from ..usecases import Need, use_case
from .access import check_name_echo, project_access
from .base import Service, audit

_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
MAX_GROUPS = 100
MAX_ITEMS = 30


def check_label_locales(project: Project, values: list[dict[str, Any]]) -> None:
    """A label in a locale the project does not have would never be shown: refuse it by name."""
    allowed = project_locales(project.default_locale, project.modules)
    for value in values:
        labels = value.get("title") or value.get("label") or {}
        stray = sorted(set(labels) - set(allowed))
        if stray:
            raise InvalidInput(
                f"The label {labels[stray[0]]!r} is in {', '.join(stray)}, which this project does not use (its "
                f"locales: {', '.join(allowed)}). Drop it, or add the locale in the project settings first.",
                code="invalid_navigation",
            )


def nav_snapshot(groups: list[SidebarGroup], items: list[HeaderNavItem]) -> dict[str, Any]:
    """What the published site's navigation is compared against (ids and order included)."""
    return {
        "sidebar_groups": [
            {"id": g.id, "title": g.title, "icon": g.icon, "page_slugs": g.page_slugs} for g in groups
        ],
        "header_nav_items": [{"id": i.id, "label": i.label, "target": i.target} for i in items],
    }


async def load_navigation(
    session: AsyncSession, project_id: str
) -> tuple[list[SidebarGroup], list[HeaderNavItem]]:
    groups = list(
        await session.exec(
            select(SidebarGroup)
            .where(SidebarGroup.project_id == project_id)
            .order_by(col(SidebarGroup.position))
        )
    )
    items = list(
        await session.exec(
            select(HeaderNavItem)
            .where(HeaderNavItem.project_id == project_id)
            .order_by(col(HeaderNavItem.position))
        )
    )
    return groups, items


def navigation_pending(project: Project, snapshot: dict[str, Any]) -> bool:
    if project.published_nav is None:
        return bool(snapshot["sidebar_groups"] or snapshot["header_nav_items"])
    return project.published_nav != snapshot


def theme_pending(project: Project) -> bool:
    return (project.published_theme or {}) != (project.theme or {})


class NavigationService(Service):
    @use_case(Need.viewer, writes=False)
    async def get_navigation(self, principal: Principal, project_id: str) -> NavigationView:
        async with self.db.read() as session:
            access = await project_access(session, principal, project_id, now=self.now())
            return await self._view(session, access.project)

    async def _view(self, session: AsyncSession, project: Project) -> NavigationView:
        groups, items = await load_navigation(session, project.id)
        return NavigationView(
            sidebar_groups=[SidebarGroupView.model_validate(g) for g in groups],
            header_nav_items=[HeaderNavItemView.model_validate(i) for i in items],
            pending=navigation_pending(project, nav_snapshot(groups, items)),
        )

    @use_case(Need.manager, writes=True)
    async def update_navigation(
        self, principal: Principal, project_id: str, data: NavigationUpdate
    ) -> NavigationView:
        """Replace sidebar groups and/or header items wholesale (the MCP update-navigation tool)."""
        groups = (
            [sidebar_group_values(g) for g in data.sidebar_groups]
            if data.sidebar_groups is not None
            else None
        )
        items = (
            [header_item_values(i) for i in data.header_nav_items]
            if data.header_nav_items is not None
            else None
        )
        if groups is not None and len(groups) > MAX_GROUPS:
            raise InvalidInput(f"At most {MAX_GROUPS} sidebar groups.", code="invalid_navigation")
        if items is not None and len(items) > MAX_ITEMS:
            raise InvalidInput(f"At most {MAX_ITEMS} header items.", code="invalid_navigation")
        now = self.now()
        async with self.db.write() as session:
            # The project lock serialises replacements: without it two concurrent ones on PostgreSQL each
            # delete only the rows they can see and both inserts survive (duplicated navigation).
            access = await project_access(session, principal, project_id, now=now, lock=True)
            check_label_locales(access.project, [*(groups or []), *(items or [])])
            if groups is not None:
                await session.exec(delete(SidebarGroup).where(col(SidebarGroup.project_id) == project_id))
                for n, g in enumerate(groups):
                    session.add(
                        SidebarGroup(id=new_id("grp"), project_id=project_id, position=n, updated_at=now, **g)
                    )
            if items is not None:
                await session.exec(delete(HeaderNavItem).where(col(HeaderNavItem.project_id) == project_id))
                for n, i in enumerate(items):
                    session.add(
                        HeaderNavItem(
                            id=new_id("nav"), project_id=project_id, position=n, updated_at=now, **i
                        )
                    )
            await session.flush()
            audit(
                session,
                principal,
                "navigation.update",
                project_id=project_id,
                at=now,
                detail={"sidebar_groups": len(groups or []), "header_nav_items": len(items or [])},
            )
            return await self._view(session, access.project)

    # -- sidebar groups, one at a time (REST) ---------------------------------------------------------------

    @use_case(Need.manager, writes=True)
    async def create_sidebar_group(
        self, principal: Principal, project_id: str, data: SidebarGroupInput
    ) -> SidebarGroupView:
        values = sidebar_group_values(data)
        now = self.now()
        async with self.db.write() as session:
            access = await project_access(session, principal, project_id, now=now, lock=True)
            check_label_locales(access.project, [values])
            groups, _ = await load_navigation(session, project_id)
            if len(groups) >= MAX_GROUPS:
                raise InvalidInput(f"At most {MAX_GROUPS} sidebar groups.", code="invalid_navigation")
            group = SidebarGroup(
                id=new_id("grp"), project_id=project_id, position=len(groups), updated_at=now, **values
            )
            session.add(group)
            audit(
                session, principal, "sidebar_group.create", project_id=project_id, targets=[group.id], at=now
            )
            return SidebarGroupView.model_validate(group)

    @use_case(Need.manager, writes=True)
    async def update_sidebar_group(
        self,
        principal: Principal,
        project_id: str,
        group_id: str,
        data: SidebarGroupInput | SidebarGroupPatch,
    ) -> SidebarGroupView:
        """A whole ``SidebarGroupInput`` replaces the group (PUT); a ``SidebarGroupPatch`` changes what it gives."""
        row = await self._update(
            principal,
            project_id,
            SidebarGroup,
            group_id,
            data,
            lambda merged: sidebar_group_values(SidebarGroupInput(**merged)),
        )
        return SidebarGroupView.model_validate(row)

    @use_case(Need.manager, writes=True)
    async def delete_sidebar_group(self, principal: Principal, project_id: str, group_id: str) -> None:
        await self._delete(principal, project_id, SidebarGroup, group_id, "sidebar_group.delete")

    @use_case(Need.manager, writes=True)
    async def reorder_sidebar_groups(
        self, principal: Principal, project_id: str, data: ReorderInput
    ) -> list[SidebarGroupView]:
        rows = await self._reorder(principal, project_id, SidebarGroup, data, "sidebar_group.reorder")
        return [SidebarGroupView.model_validate(r) for r in rows]

    # -- header items, one at a time (REST) ------------------------------------------------------------------

    @use_case(Need.manager, writes=True)
    async def create_header_item(
        self, principal: Principal, project_id: str, data: HeaderNavItemInput
    ) -> HeaderNavItemView:
        values = header_item_values(data)
        now = self.now()
        async with self.db.write() as session:
            access = await project_access(session, principal, project_id, now=now, lock=True)
            check_label_locales(access.project, [values])
            _, items = await load_navigation(session, project_id)
            if len(items) >= MAX_ITEMS:
                raise InvalidInput(f"At most {MAX_ITEMS} header items.", code="invalid_navigation")
            item = HeaderNavItem(
                id=new_id("nav"), project_id=project_id, position=len(items), updated_at=now, **values
            )
            session.add(item)
            audit(session, principal, "header_item.create", project_id=project_id, targets=[item.id], at=now)
            return HeaderNavItemView.model_validate(item)

    @use_case(Need.manager, writes=True)
    async def update_header_item(
        self,
        principal: Principal,
        project_id: str,
        item_id: str,
        data: HeaderNavItemInput | HeaderNavItemPatch,
    ) -> HeaderNavItemView:
        """A whole ``HeaderNavItemInput`` replaces the item (PUT); a ``HeaderNavItemPatch`` changes what it gives."""
        row = await self._update(
            principal,
            project_id,
            HeaderNavItem,
            item_id,
            data,
            lambda merged: header_item_values(HeaderNavItemInput(**merged)),
        )
        return HeaderNavItemView.model_validate(row)

    async def _update(
        self,
        principal: Principal,
        project_id: str,
        model: Any,
        row_id: str,
        data: Input,
        check: Callable[[dict[str, Any]], dict[str, Any]],
    ) -> Any:
        # A patch names only what changes (null: unchanged); a whole input names every field.
        partial = isinstance(data, SidebarGroupPatch | HeaderNavItemPatch)
        changes = data.model_dump(exclude_none=True) if partial else data.model_dump()
        now = self.now()
        async with self.db.write() as session:
            access = await project_access(session, principal, project_id, now=now)
            row = await session.get(model, row_id)
            if row is None or row.project_id != project_id:
                raise NotFound(
                    f"No navigation entry {row_id!r} in this project.", code="navigation_not_found"
                )
            if not changes:  # an empty PATCH: nothing written, no audit row
                return row
            values = check({name: getattr(row, name) for name in type(data).model_fields} | changes)
            check_label_locales(access.project, [values])
            for name, value in values.items():
                setattr(row, name, value)
            row.updated_at = now
            session.add(row)
            action = "sidebar_group.update" if model is SidebarGroup else "header_item.update"
            audit(session, principal, action, project_id=project_id, targets=[row_id], at=now)
            return row

    @use_case(Need.manager, writes=True)
    async def delete_header_item(self, principal: Principal, project_id: str, item_id: str) -> None:
        await self._delete(principal, project_id, HeaderNavItem, item_id, "header_item.delete")

    @use_case(Need.manager, writes=True)
    async def reorder_header_items(
        self, principal: Principal, project_id: str, data: ReorderInput
    ) -> list[HeaderNavItemView]:
        rows = await self._reorder(principal, project_id, HeaderNavItem, data, "header_item.reorder")
        return [HeaderNavItemView.model_validate(r) for r in rows]

    async def _delete(
        self, principal: Principal, project_id: str, model: Any, row_id: str, action: str
    ) -> None:
        now = self.now()
        async with self.db.write() as session:
            await project_access(session, principal, project_id, now=now, lock=True)
            row = await session.get(model, row_id)
            if row is None or row.project_id != project_id:
                raise NotFound(
                    f"No navigation entry {row_id!r} in this project.", code="navigation_not_found"
                )
            await session.delete(row)
            rest = list(
                await session.exec(
                    select(model)
                    .where(model.project_id == project_id, model.id != row_id)
                    .order_by(model.position)
                )
            )
            for n, other in enumerate(rest):
                other.position = n
                session.add(other)
            audit(session, principal, action, project_id=project_id, targets=[row_id], at=now)

    async def _reorder(
        self, principal: Principal, project_id: str, model: Any, data: ReorderInput, action: str
    ) -> list[Any]:
        now = self.now()
        async with self.db.write() as session:
            await project_access(session, principal, project_id, now=now, lock=True)
            rows = {r.id: r for r in await session.exec(select(model).where(model.project_id == project_id))}
            if sorted(data.ids) != sorted(rows):
                raise InvalidInput(
                    "Reorder must list every id exactly once.",
                    code="invalid_reorder",
                    expected_ids=sorted(rows),
                )
            for n, row_id in enumerate(data.ids):
                rows[row_id].position = n
                rows[row_id].updated_at = now
                session.add(rows[row_id])
            audit(session, principal, action, project_id=project_id, targets=list(data.ids), at=now)
            return [rows[i] for i in data.ids]

    # -- theme ---------------------------------------------------------------------------------------------

    @use_case(Need.viewer, writes=False)
    async def get_theme(self, principal: Principal, project_id: str) -> ThemeView:
        async with self.db.read() as session:
            access = await project_access(session, principal, project_id, now=self.now())
            return ThemeView(theme=access.project.theme or {}, pending=theme_pending(access.project))

    @use_case(Need.manager, writes=True)
    async def update_theme(self, principal: Principal, project_id: str, data: ThemeUpdate) -> ThemeView:
        changes = data.model_dump(exclude_none=True, exclude={"project_name"})
        for name, color in (changes.get("colors") or {}).items():
            if not _COLOR.fullmatch(color):
                raise InvalidInput(
                    f"Color {name} must be a hex color like #1a73e8 (got {color!r}).", code="invalid_theme"
                )
        for name in ("logo_url", "favicon_url"):
            url = changes.get(name)
            if url and not (is_https_url(url) or url.startswith("/")):
                raise InvalidInput(f"{name} must be an https:// URL or a site path.", code="invalid_theme")
        for name, font in (changes.get("fonts") or {}).items():
            if len(font) > 200 or any(c in font for c in "{};<>"):
                raise InvalidInput(f"Font {name} must be a CSS font-family list.", code="invalid_theme")
        now = self.now()
        async with self.db.write() as session:
            # Locked: the theme is merged read-modify-write, so parallel edits would otherwise lose each other.
            access = await project_access(session, principal, project_id, now=now, lock=True)
            check_name_echo(access.project, data.project_name)
            theme = dict(access.project.theme or {})
            for key, value in changes.items():
                theme[key] = {**theme.get(key, {}), **value} if isinstance(value, dict) else value
            if theme == dict(access.project.theme or {}):  # nothing changes: nothing written, no audit row
                return ThemeView(theme=theme, pending=theme_pending(access.project))
            check_contrast(theme)  # the merged theme: a change of one colour is judged against the others
            access.project.theme = theme
            access.project.updated_at = now
            session.add(access.project)
            audit(session, principal, "theme.update", project_id=project_id, detail=changes, at=now)
            return ThemeView(theme=theme, pending=theme_pending(access.project))
