from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from .base import NAME_ECHO_DOC, Input, View


class SidebarGroupInput(Input):
    title: dict[str, str] = Field(description="Label per locale, e.g. {'en': 'Guides'}.")
    icon: str = Field(description="Material Symbols Rounded name, e.g. 'menu_book' (see comstack://icons).")
    page_slugs: list[str] = Field(default_factory=list, description="Ordered page slugs in this group.")


class SidebarGroupView(View):
    id: str
    position: int
    title: dict[str, str]
    icon: str
    page_slugs: list[str]


class HeaderNavItemInput(Input):
    label: dict[str, str] = Field(description="Label per locale.")
    target: str = Field(description="A page slug or an absolute https:// URL.")


class HeaderNavItemView(View):
    id: str
    position: int
    label: dict[str, str]
    target: str


class ReorderInput(Input):
    ids: list[str] = Field(description="Every id of the list, in the new order.")


class NavigationUpdate(Input):
    """Replaces the whole navigation (sidebar groups and header items), in order."""

    sidebar_groups: list[SidebarGroupInput] | None = None
    header_nav_items: list[HeaderNavItemInput] | None = None


class NavigationView(View):
    sidebar_groups: list[SidebarGroupView]
    header_nav_items: list[HeaderNavItemView]
    pending: bool = Field(
        description="True when it differs from the published site (applies at next publish)."
    )


class ThemeColors(Input):
    primary: str | None = None
    accent: str | None = None
    background: str | None = None
    text: str | None = None


class ThemeFonts(Input):
    body: str | None = None
    heading: str | None = None
    mono: str | None = None


class ThemeUpdate(Input):
    project_name: str = Field(description=NAME_ECHO_DOC)
    colors: ThemeColors | None = None
    fonts: ThemeFonts | None = None
    logo_url: str | None = None
    favicon_url: str | None = None
    dark_mode: Literal["auto", "light", "dark"] | None = None


class ThemeView(View):
    theme: dict[str, Any]
    pending: bool
