"""Navigation and theme (SPEC §5): icons from the shipped catalogue, header targets, reorder, pending flags,
and the theme's name echo and colors."""

from __future__ import annotations

import pytest

from comstack_core.errors import InvalidInput, NameEchoMismatch, NotFound
from comstack_core.models import Project
from comstack_core.rules.icons import icon_names, validate_icon
from comstack_core.rules.navigation import header_item_values
from comstack_core.schemas import (
    HeaderNavItemInput,
    NavigationUpdate,
    ReorderInput,
    SettingsUpdate,
    SidebarGroupInput,
    ThemeUpdate,
)
from comstack_core.services.navigation import load_navigation, nav_snapshot

from ..conftest import World
from .test_support import audit_rows, expect, snapshot


def group(icon: str = "menu_book", slugs: list[str] | None = None, **title: str) -> SidebarGroupInput:
    return SidebarGroupInput(title=title or {"en": "Guides"}, icon=icon, page_slugs=slugs or [])


def item(target: str, label: str = "Link") -> HeaderNavItemInput:
    return HeaderNavItemInput(label={"en": label}, target=target)


def test_icon_catalogue_ships_with_the_package() -> None:
    names = icon_names()
    assert len(names) > 3000
    assert {"menu_book", "help", "home", "rocket_launch", "search"} <= names
    assert validate_icon("menu_book") == "menu_book"


@pytest.mark.parametrize(
    ("bad", "suggested"),
    [
        ("menu_boo", ["menu_book"]),
        ("rocket_launc", ["rocket_launch"]),
        ("Menu_Book", []),
        ("", []),
        ("fa-home", []),
    ],
)
def test_unknown_icons_suggest_close_matches(bad: str, suggested: list[str]) -> None:
    with pytest.raises(InvalidInput) as info:
        validate_icon(bad)
    assert info.value.code == "invalid_icon"
    assert "comstack://icons" in info.value.message
    for name in suggested:
        assert f"Close matches: {name}" in info.value.message or f", {name}" in info.value.message
    if not suggested:
        assert "Close matches" not in info.value.message


async def test_sidebar_groups_validate_icons_and_slugs(world: World) -> None:
    core, pid = world.core, world.project_id
    before = await snapshot(core, pid)
    error = await expect(
        InvalidInput,
        "invalid_icon",
        core.navigation.update_navigation(
            world.manager, pid, NavigationUpdate(sidebar_groups=[group(), group(icon="menu_boo")])
        ),
    )
    assert "Close matches: menu_book" in error.message
    await expect(
        InvalidInput,
        "invalid_icon",
        core.navigation.create_sidebar_group(world.manager, pid, group(icon="not_an_icon_at_all")),
    )
    await expect(
        InvalidInput,
        "invalid_slug",
        core.navigation.create_sidebar_group(world.manager, pid, group(slugs=["guides/Intro"])),
    )
    await expect(
        InvalidInput,
        "invalid_navigation",
        core.navigation.create_sidebar_group(world.manager, pid, group(slugs=["a", "a"])),
    )
    await expect(
        InvalidInput,
        "invalid_navigation",
        core.navigation.create_sidebar_group(world.manager, pid, SidebarGroupInput(title={}, icon="help")),
    )
    await expect(
        InvalidInput,
        "invalid_locale",
        core.navigation.create_sidebar_group(
            world.manager, pid, SidebarGroupInput(title={"english": "Guides"}, icon="help")
        ),
    )
    assert await snapshot(core, pid) == before

    # Labels only in the project's locales: es-MX once the project has it.
    await core.project_settings.update_settings(
        world.manager,
        pid,
        SettingsUpdate(knowledge_locales=["en", "es-MX"], custom_page_locales=["en", "es-MX"]),
    )
    created = await core.navigation.create_sidebar_group(
        world.manager,
        pid,
        SidebarGroupInput(
            title={"EN": " Guides ", "es-mx": "Guías"}, icon="menu_book", page_slugs=["guides/intro", "index"]
        ),
    )
    assert (created.position, created.title, created.icon, created.page_slugs) == (
        0,
        {"en": "Guides", "es-MX": "Guías"},
        "menu_book",
        ["guides/intro", "index"],
    )
    updated = await core.navigation.update_sidebar_group(world.manager, pid, created.id, group(icon="help"))
    assert updated.icon == "help" and updated.page_slugs == []
    await expect(
        NotFound,
        "navigation_not_found",
        core.navigation.update_sidebar_group(world.manager, pid, "grp_missing", group()),
    )


@pytest.mark.parametrize(
    ("target", "ok"),
    [
        ("pricing", True),
        ("guides/intro", True),
        ("https://example.com/docs?x=1", True),
        ("http://example.com", False),
        ("javascript:alert(1)", False),
        ("/pricing", False),
        ("Pricing", False),
        ("//evil.example.com", False),
        ("mailto:a@example.com", False),
        ("", False),
    ],
)
def test_header_targets(target: str, ok: bool) -> None:
    if ok:
        assert header_item_values(item(target))["target"] == target
    else:
        with pytest.raises(InvalidInput) as info:
            header_item_values(item(target))
        assert info.value.code == "invalid_navigation"
        assert "page slug" in info.value.message and "https://" in info.value.message


async def test_header_items_through_the_service(world: World) -> None:
    core, pid = world.core, world.project_id
    before = await snapshot(core, pid)
    for bad in ("http://example.com", "javascript:alert(1)", "/pricing"):
        await expect(
            InvalidInput,
            "invalid_navigation",
            core.navigation.create_header_item(world.manager, pid, item(bad)),
        )
        await expect(
            InvalidInput,
            "invalid_navigation",
            core.navigation.update_navigation(
                world.manager, pid, NavigationUpdate(header_nav_items=[item("pricing"), item(bad)])
            ),
        )
    assert await snapshot(core, pid) == before
    nav = await core.navigation.update_navigation(
        world.manager,
        pid,
        NavigationUpdate(
            header_nav_items=[item("pricing", "Pricing"), item("https://status.example.com", "Status")]
        ),
    )
    assert [(i.position, i.target, i.label) for i in nav.header_nav_items] == [
        (0, "pricing", {"en": "Pricing"}),
        (1, "https://status.example.com", {"en": "Status"}),
    ]
    assert nav.sidebar_groups == []
    too_many = NavigationUpdate(header_nav_items=[item("pricing")] * 31)
    await expect(
        InvalidInput, "invalid_navigation", core.navigation.update_navigation(world.manager, pid, too_many)
    )


async def test_reorder_must_list_every_id(world: World) -> None:
    core, pid = world.core, world.project_id
    nav = await core.navigation.update_navigation(
        world.manager,
        pid,
        NavigationUpdate(
            sidebar_groups=[group(en="A"), group(en="B"), group(en="C")],
            header_nav_items=[item("a"), item("b")],
        ),
    )
    a, b, c = (g.id for g in nav.sidebar_groups)
    before = await snapshot(core, pid)
    for ids in ([a, b], [a, b, c, c], [a, b, "grp_other"], [a, b, c, "grp_extra"], []):
        error = await expect(
            InvalidInput,
            "invalid_reorder",
            core.navigation.reorder_sidebar_groups(world.manager, pid, ReorderInput(ids=ids)),
        )
        assert error.details == {"expected_ids": sorted([a, b, c])}
    assert await snapshot(core, pid) == before

    reordered = await core.navigation.reorder_sidebar_groups(world.manager, pid, ReorderInput(ids=[c, a, b]))
    assert [(g.id, g.position, g.title["en"]) for g in reordered] == [(c, 0, "C"), (a, 1, "A"), (b, 2, "B")]
    assert [g.id for g in (await core.navigation.get_navigation(world.viewer, pid)).sidebar_groups] == [
        c,
        a,
        b,
    ]

    x, y = (i.id for i in nav.header_nav_items)
    await expect(
        InvalidInput,
        "invalid_reorder",
        core.navigation.reorder_header_items(world.manager, pid, ReorderInput(ids=[y])),
    )
    # Ids of the other kind are not accepted either.
    await expect(
        InvalidInput,
        "invalid_reorder",
        core.navigation.reorder_header_items(world.manager, pid, ReorderInput(ids=[y, a])),
    )
    assert [
        i.target
        for i in await core.navigation.reorder_header_items(world.manager, pid, ReorderInput(ids=[y, x]))
    ] == ["b", "a"]

    # Deleting closes the gap in positions.
    await core.navigation.delete_sidebar_group(world.manager, pid, c)
    assert [
        (g.id, g.position) for g in (await core.navigation.get_navigation(world.viewer, pid)).sidebar_groups
    ] == [(a, 0), (b, 1)]
    await expect(
        NotFound, "navigation_not_found", core.navigation.delete_sidebar_group(world.manager, pid, c)
    )
    await expect(NotFound, "navigation_not_found", core.navigation.delete_header_item(world.manager, pid, a))


async def test_navigation_pending_until_published(world: World) -> None:
    core, pid = world.core, world.project_id
    assert not (await core.navigation.get_navigation(world.viewer, pid)).pending
    nav = await core.navigation.update_navigation(
        world.manager,
        pid,
        NavigationUpdate(sidebar_groups=[group(slugs=["guides/intro"])], header_nav_items=[item("pricing")]),
    )
    assert nav.pending
    state = await core.state.get_project_state(world.viewer, pid)
    assert (state.pending_site_changes.navigation, state.pending_site_changes.theme) == (True, False)
    # Stand-in for a publish (these tests stay below the publish flow): record the current navigation as
    # published directly in the database, as the publish job does.
    async with core.db.write() as session:
        groups, items = await load_navigation(session, pid)
        project = await session.get_one(Project, pid)
        project.published_nav = nav_snapshot(groups, items)
        session.add(project)
    assert not (await core.navigation.get_navigation(world.viewer, pid)).pending
    # Any change to order, icon, title or slugs is pending again.
    await core.navigation.update_sidebar_group(
        world.manager, pid, nav.sidebar_groups[0].id, group(icon="help", slugs=["guides/intro"])
    )
    assert (await core.navigation.get_navigation(world.viewer, pid)).pending


async def test_theme_needs_the_name_echo_and_hex_colors(world: World) -> None:
    core, pid = world.core, world.project_id
    before = await snapshot(core, pid)
    error = await expect(
        NameEchoMismatch,
        "project_name_mismatch",
        core.navigation.update_theme(
            world.manager, pid, ThemeUpdate(project_name="Acme", colors={"primary": "#1a73e8"})
        ),
    )  # type: ignore[arg-type]
    assert "'Acme Docs'" in error.message and "'Acme'" in error.message
    for color in ("red", "#12345", "#ggg", "1a73e8", "#1a73e8;", "rgb(0,0,0)", "#1234567"):
        error = await expect(
            InvalidInput,
            "invalid_theme",
            core.navigation.update_theme(
                world.manager, pid, ThemeUpdate(project_name=world.project_name, colors={"accent": color})
            ),
        )  # type: ignore[arg-type]
        assert "accent" in error.message
    await expect(
        InvalidInput,
        "invalid_theme",
        core.navigation.update_theme(
            world.manager,
            pid,
            ThemeUpdate(project_name=world.project_name, logo_url="http://example.com/logo.png"),
        ),
    )
    await expect(
        InvalidInput,
        "invalid_theme",
        core.navigation.update_theme(
            world.manager,
            pid,
            ThemeUpdate(project_name=world.project_name, fonts={"body": "x;}body{color:red"}),
        ),
    )  # type: ignore[arg-type]
    assert await snapshot(core, pid) == before
    assert not (await core.navigation.get_theme(world.viewer, pid)).pending

    view = await core.navigation.update_theme(
        world.manager,
        pid,
        ThemeUpdate(
            project_name=" acme docs",
            colors={"primary": "#1A73E8", "accent": "#fff", "text": "#11223344"},  # type: ignore[arg-type]
            dark_mode="auto",
            logo_url="https://cdn.example.com/logo.svg",
        ),
    )
    assert view.pending and view.theme == {
        "colors": {"primary": "#1A73E8", "accent": "#fff", "text": "#11223344"},
        "dark_mode": "auto",
        "logo_url": "https://cdn.example.com/logo.svg",
    }
    # Colors merge: changing one keeps the others.
    view = await core.navigation.update_theme(
        world.manager,
        pid,
        ThemeUpdate(
            project_name=world.project_name, colors={"accent": "#000000"}, fonts={"body": "Inter, sans-serif"}
        ),
    )  # type: ignore[arg-type]
    assert view.theme["colors"] == {"primary": "#1A73E8", "accent": "#000000", "text": "#11223344"}
    assert view.theme["fonts"] == {"body": "Inter, sans-serif"}
    assert (await core.state.get_project_state(world.viewer, pid)).pending_site_changes.theme
    # Stand-in for a publish: mark the theme as deployed directly in the database.
    async with core.db.write() as session:
        project = await session.get_one(Project, pid)
        project.published_theme = dict(project.theme)
        session.add(project)
    assert not (await core.navigation.get_theme(world.viewer, pid)).pending
    rows = await audit_rows(core, pid, action="theme.update")
    assert sorted(r.detail["colors"].get("primary", "-") for r in rows) == ["#1A73E8", "-"]
