from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from .base import NAME_ECHO_DOC, Input, View


class SidebarGroupInput(Input):
    title: dict[str, str] = Field(description="Label per locale, e.g. {'en': 'Guides'}.")
    icon: str = Field(description="Material Symbols Rounded name, e.g. 'menu_book' (see comstack://icons).")
    page_slugs: list[str] = Field(default_factory=list, description="Ordered page slugs in this group.")


class SidebarGroupPatch(Input):
    """A partial change: the fields given replace the group's; the others stay."""

    title: dict[str, str] | None = Field(default=None, description="Label per locale, e.g. {'en': 'Guides'}.")
    icon: str | None = Field(
        default=None, description="Material Symbols Rounded name, e.g. 'menu_book' (see comstack://icons)."
    )
    page_slugs: list[str] | None = Field(default=None, description="Ordered page slugs in this group.")


class SidebarGroupView(View):
    id: str
    position: int
    title: dict[str, str]
    icon: str
    page_slugs: list[str]


class HeaderNavItemInput(Input):
    label: dict[str, str] = Field(description="Label per locale.")
    target: str = Field(description="A page slug or an absolute https:// URL.")


class HeaderNavItemPatch(Input):
    """A partial change: the fields given replace the item's; the others stay."""

    label: dict[str, str] | None = Field(default=None, description="Label per locale.")
    target: str | None = Field(default=None, description="A page slug or an absolute https:// URL.")


class HeaderNavItemView(View):
    id: str
    position: int
    label: dict[str, str]
    target: str


class ReorderInput(Input):
    ids: list[str] = Field(description="Every id of the list, in the new order.")


class NavigationUpdate(Input):
    """Replaces the whole navigation (sidebar groups and header items), in order."""

    sidebar_groups: list[SidebarGroupInput] | None = Field(
        default=None, description="Every sidebar group, in order (replaces them all); omitted: unchanged."
    )
    header_nav_items: list[HeaderNavItemInput] | None = Field(
        default=None, description="Every header link, in order (replaces them all); omitted: unchanged."
    )


class NavigationView(View):
    sidebar_groups: list[SidebarGroupView]
    header_nav_items: list[HeaderNavItemView]
    pending: bool = Field(
        description="True when it differs from the published site (applies at next publish)."
    )


_COLOR_DOC = "Hex color such as '#1a73e8' (#rgb, #rrggbb or #rrggbbaa)"
_FONT_DOC = "A CSS font-family list such as 'Inter, system-ui, sans-serif' (up to 200 characters)"


class ThemeColors(Input):
    primary: str | None = Field(default=None, description=f"{_COLOR_DOC}: links, buttons, highlights.")
    accent: str | None = Field(default=None, description=f"{_COLOR_DOC}: secondary highlights.")
    background: str | None = Field(default=None, description=f"{_COLOR_DOC}: the page background.")
    text: str | None = Field(
        default=None, description=f"{_COLOR_DOC}: body text; must keep readable contrast with the background."
    )


class ThemeFonts(Input):
    body: str | None = Field(default=None, description=f"{_FONT_DOC}, for running text.")
    heading: str | None = Field(default=None, description=f"{_FONT_DOC}, for headings.")
    mono: str | None = Field(default=None, description=f"{_FONT_DOC}, for code.")


class ThemeUpdate(Input):
    project_name: str = Field(description=NAME_ECHO_DOC)
    colors: ThemeColors | None = Field(
        default=None, description="Colors to change; the ones omitted keep their value."
    )
    fonts: ThemeFonts | None = Field(
        default=None, description="Fonts to change; the ones omitted keep their value."
    )
    logo_url: str | None = Field(
        default=None, description="The logo: an https:// URL or a path on the site such as '/logo.svg'."
    )
    favicon_url: str | None = Field(
        default=None, description="The favicon: an https:// URL or a path on the site such as '/favicon.ico'."
    )
    dark_mode: Literal["auto", "light", "dark"] | None = Field(
        default=None, description="'auto' follows the reader's system setting; 'light' or 'dark' fix one."
    )


class ThemeView(View):
    theme: dict[str, Any]
    pending: bool
