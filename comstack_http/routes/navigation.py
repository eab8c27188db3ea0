"""Navigation and theme: sidebar groups, header navigation items, the whole navigation, the theme."""

from __future__ import annotations

from comstack_core.schemas import (
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
from comstack_core.services.navigation import NavigationService

from .spec import Call, RouteSpec

P = "/api/projects/{project_id}"
GROUPS = P + "/sidebar-groups"
ITEMS = P + "/header-nav-items"


async def list_sidebar_groups(call: Call) -> list[SidebarGroupView]:
    return (await call.core.navigation.get_navigation(call.principal, call.project_id)).sidebar_groups


async def create_sidebar_group(call: Call) -> SidebarGroupView:
    return await call.core.navigation.create_sidebar_group(
        call.principal, call.project_id, call.body(SidebarGroupInput)
    )


async def update_sidebar_group(call: Call) -> SidebarGroupView:
    return await call.core.navigation.update_sidebar_group(
        call.principal, call.project_id, call.param("group_id"), call.body(SidebarGroupInput)
    )


async def patch_sidebar_group(call: Call) -> SidebarGroupView:
    return await call.core.navigation.update_sidebar_group(
        call.principal, call.project_id, call.param("group_id"), call.body(SidebarGroupPatch)
    )


async def delete_sidebar_group(call: Call) -> None:
    await call.core.navigation.delete_sidebar_group(call.principal, call.project_id, call.param("group_id"))


async def reorder_sidebar_groups(call: Call) -> list[SidebarGroupView]:
    return await call.core.navigation.reorder_sidebar_groups(
        call.principal, call.project_id, call.body(ReorderInput)
    )


async def list_header_nav_items(call: Call) -> list[HeaderNavItemView]:
    return (await call.core.navigation.get_navigation(call.principal, call.project_id)).header_nav_items


async def create_header_nav_item(call: Call) -> HeaderNavItemView:
    return await call.core.navigation.create_header_item(
        call.principal, call.project_id, call.body(HeaderNavItemInput)
    )


async def update_header_nav_item(call: Call) -> HeaderNavItemView:
    return await call.core.navigation.update_header_item(
        call.principal, call.project_id, call.param("item_id"), call.body(HeaderNavItemInput)
    )


async def patch_header_nav_item(call: Call) -> HeaderNavItemView:
    return await call.core.navigation.update_header_item(
        call.principal, call.project_id, call.param("item_id"), call.body(HeaderNavItemPatch)
    )


async def delete_header_nav_item(call: Call) -> None:
    await call.core.navigation.delete_header_item(call.principal, call.project_id, call.param("item_id"))


async def reorder_header_nav_items(call: Call) -> list[HeaderNavItemView]:
    return await call.core.navigation.reorder_header_items(
        call.principal, call.project_id, call.body(ReorderInput)
    )


async def get_navigation(call: Call) -> NavigationView:
    return await call.core.navigation.get_navigation(call.principal, call.project_id)


async def update_navigation(call: Call) -> NavigationView:
    return await call.core.navigation.update_navigation(
        call.principal, call.project_id, call.body(NavigationUpdate)
    )


async def get_theme(call: Call) -> ThemeView:
    return await call.core.navigation.get_theme(call.principal, call.project_id)


async def update_theme(call: Call) -> ThemeView:
    return await call.core.navigation.update_theme(call.principal, call.project_id, call.body(ThemeUpdate))


def specs() -> list[RouteSpec]:
    nav = "navigation"
    return [
        RouteSpec(
            "GET",
            GROUPS,
            list_sidebar_groups,
            "List sidebar groups in order",
            nav,
            response=list[SidebarGroupView],
            uses=NavigationService.get_navigation,
        ),
        RouteSpec(
            "POST",
            GROUPS,
            create_sidebar_group,
            "Add a sidebar group at the end (manager)",
            nav,
            body=SidebarGroupInput,
            response=SidebarGroupView,
            status=201,
            uses=NavigationService.create_sidebar_group,
        ),
        # Declared before the {group_id} routes so 'reorder' is never taken for an id.
        RouteSpec(
            "POST",
            GROUPS + "/reorder",
            reorder_sidebar_groups,
            "Reorder all sidebar groups (manager)",
            nav,
            body=ReorderInput,
            response=list[SidebarGroupView],
            uses=NavigationService.reorder_sidebar_groups,
        ),
        RouteSpec(
            "PUT",
            GROUPS + "/{group_id}",
            update_sidebar_group,
            "Replace a sidebar group (manager)",
            nav,
            body=SidebarGroupInput,
            response=SidebarGroupView,
            uses=NavigationService.update_sidebar_group,
        ),
        RouteSpec(
            "PATCH",
            GROUPS + "/{group_id}",
            patch_sidebar_group,
            "Change a sidebar group's given fields; the others stay (manager)",
            nav,
            body=SidebarGroupPatch,
            response=SidebarGroupView,
            uses=NavigationService.update_sidebar_group,
        ),
        RouteSpec(
            "DELETE",
            GROUPS + "/{group_id}",
            delete_sidebar_group,
            "Delete a sidebar group (manager)",
            nav,
            status=204,
            uses=NavigationService.delete_sidebar_group,
        ),
        RouteSpec(
            "GET",
            ITEMS,
            list_header_nav_items,
            "List header navigation items in order",
            nav,
            response=list[HeaderNavItemView],
            uses=NavigationService.get_navigation,
        ),
        RouteSpec(
            "POST",
            ITEMS,
            create_header_nav_item,
            "Add a header item at the end (manager)",
            nav,
            body=HeaderNavItemInput,
            response=HeaderNavItemView,
            status=201,
            uses=NavigationService.create_header_item,
        ),
        RouteSpec(
            "POST",
            ITEMS + "/reorder",
            reorder_header_nav_items,
            "Reorder all header items (manager)",
            nav,
            body=ReorderInput,
            response=list[HeaderNavItemView],
            uses=NavigationService.reorder_header_items,
        ),
        RouteSpec(
            "PUT",
            ITEMS + "/{item_id}",
            update_header_nav_item,
            "Replace a header item (manager)",
            nav,
            body=HeaderNavItemInput,
            response=HeaderNavItemView,
            uses=NavigationService.update_header_item,
        ),
        RouteSpec(
            "PATCH",
            ITEMS + "/{item_id}",
            patch_header_nav_item,
            "Change a header item's given fields; the others stay (manager)",
            nav,
            body=HeaderNavItemPatch,
            response=HeaderNavItemView,
            uses=NavigationService.update_header_item,
        ),
        RouteSpec(
            "DELETE",
            ITEMS + "/{item_id}",
            delete_header_nav_item,
            "Delete a header item (manager)",
            nav,
            status=204,
            uses=NavigationService.delete_header_item,
        ),
        RouteSpec(
            "GET",
            P + "/navigation",
            get_navigation,
            "Get the whole navigation and whether it is pending",
            nav,
            response=NavigationView,
            uses=NavigationService.get_navigation,
        ),
        RouteSpec(
            "PUT",
            P + "/navigation",
            update_navigation,
            "Replace sidebar groups and/or header items wholesale (manager)",
            nav,
            body=NavigationUpdate,
            response=NavigationView,
            uses=NavigationService.update_navigation,
        ),
        RouteSpec(
            "GET",
            P + "/theme",
            get_theme,
            "Get the theme and whether it is pending",
            "theme",
            response=ThemeView,
            uses=NavigationService.get_theme,
        ),
        RouteSpec(
            "PATCH",
            P + "/theme",
            update_theme,
            "Change colors, fonts, logo, favicon, dark mode (manager, name echo)",
            "theme",
            body=ThemeUpdate,
            response=ThemeView,
            uses=NavigationService.update_theme,
        ),
    ]
