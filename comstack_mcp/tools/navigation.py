"""Navigation (sidebar groups, header items) and theme. Changes apply at the next publish."""

from __future__ import annotations

from typing import Any

from comstack_core import Core, Principal
from comstack_core.schemas import NavigationUpdate, NavigationView, ThemeUpdate, ThemeView

from ..spec import READ, Hints, ToolSpec
from .common import ProjectArg, part


async def get_navigation(core: Core, principal: Principal, args: ProjectArg) -> NavigationView:
    return await core.navigation.get_navigation(principal, args.project_id)


class UpdateNavigationArgs(NavigationUpdate, ProjectArg):
    pass


async def update_navigation(core: Core, principal: Principal, args: UpdateNavigationArgs) -> NavigationView:
    return await core.navigation.update_navigation(principal, args.project_id, part(args, NavigationUpdate))


class UpdateThemeArgs(ThemeUpdate, ProjectArg):
    pass


async def update_theme(core: Core, principal: Principal, args: UpdateThemeArgs) -> ThemeView:
    return await core.navigation.update_theme(principal, args.project_id, part(args, ThemeUpdate))


TOOLS: list[ToolSpec[Any]] = [
    ToolSpec(
        name="get-navigation",
        title="Get navigation",
        description=(
            "Reads the site's navigation: ordered sidebar groups (per-locale titles, a Material Symbols icon, page "
            "slugs) and header items (per-locale labels, page slug or https URL), and whether it differs from the "
            "published site (pending). Read it before update-navigation, which replaces lists wholesale."
        ),
        input=ProjectArg,
        handler=get_navigation,
        min_role="viewer",
        writes=False,
        hints=READ,
    ),
    ToolSpec(
        name="update-navigation",
        title="Update navigation",
        description=(
            "Replaces the sidebar groups and/or the header items (managers); a list you omit stays as it is, a "
            "list you send replaces the old one entirely, in order, so start from get-navigation. Icons must be "
            "Material Symbols Rounded names (comstack://icons). Pending until the next publish."
        ),
        input=UpdateNavigationArgs,
        handler=update_navigation,
        min_role="manager",
        writes=True,
        hints=Hints(
            read_only=False, destructive=True, idempotent=True, open_world=False
        ),  # lists are replaced
    ),
    ToolSpec(
        name="update-theme",
        title="Update theme",
        description=(
            "Changes the site's theme (managers): colors (hex: primary, accent, background, text), fonts (CSS "
            "font-family lists), logo_url and favicon_url (https:// or a site path), dark_mode (auto, light, dark). "
            "Given values are merged into the theme. Needs project_name as a safety echo. Applies at the next "
            "publish."
        ),
        input=UpdateThemeArgs,
        handler=update_theme,
        min_role="manager",
        writes=True,
        hints=Hints(read_only=False, destructive=True, idempotent=True, open_world=False),
    ),
]
