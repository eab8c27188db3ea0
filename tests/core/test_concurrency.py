"""Races the database must settle (both backends): no lost updates, quotas that hold under parallel calls, one
page per slug. Calls run concurrently on one event loop with ``asyncio.gather``, each in its own transaction
and connection."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import text

from comstack_core.errors import Conflict, DomainError, InvalidInput, QuotaExceeded, StaleVersion
from comstack_core.schemas import (
    CustomPageUpload,
    HeaderNavItemInput,
    KeyCreate,
    NavigationUpdate,
    PageCreate,
    PageRef,
    PageUpdate,
    PlanUpdate,
    ProjectCreate,
    SidebarGroupInput,
    ThemeUpdate,
)

from ..conftest import World
from .test_support import LONG_DESCRIPTION, create_page


async def count(world: World, sql: str) -> int:
    async with world.core.db.read() as session:
        return int((await session.exec(text(sql).bindparams(p=world.project_id))).one()[0])  # type: ignore[call-overload]


def split(results: list[Any]) -> tuple[list[Any], list[BaseException]]:
    errors = [r for r in results if isinstance(r, BaseException)]
    unexpected = [e for e in errors if not isinstance(e, DomainError)]
    assert not unexpected, unexpected  # a race must end in a domain error, never a driver exception
    return [r for r in results if not isinstance(r, BaseException)], errors


async def test_two_saves_on_the_same_version(world: World) -> None:
    core, pid = world.core, world.project_id
    for round_ in range(3):
        page = await create_page(world, f"race-{round_}", content="base")
        results = await asyncio.gather(
            core.editing.update_page(
                world.editor,
                pid,
                PageRef(path=page.path),
                PageUpdate(base_version=1, content="from the editor"),
            ),
            core.editing.update_page(
                world.manager,
                pid,
                PageRef(path=page.path),
                PageUpdate(base_version=1, content="from the manager"),
            ),
            return_exceptions=True,
        )
        saved, errors = split(results)
        assert len(saved) == 1 and len(errors) == 1
        assert isinstance(errors[0], StaleVersion) and errors[0].details == {"current_version": 2}
        current = await core.pages.get_page(world.editor, pid, PageRef(path=page.path))
        # The winner's text is what is stored; nothing was silently overwritten.
        assert (current.version, current.content) == (2, saved[0].page.content)
        revisions = await core.pages.list_revisions(world.editor, pid, PageRef(path=page.path))
        assert [r.number for r in revisions] == [2, 1]


async def test_parallel_key_creation_respects_max_keys(world: World) -> None:
    core, pid = world.core, world.project_id
    await core.plans.update_plan(world.admin, pid, PlanUpdate(quotas={"max_keys": 3}))
    results = await asyncio.gather(
        *(core.keys.create_key(world.manager, pid, KeyCreate(name=f"k{i}")) for i in range(10)),
        return_exceptions=True,
    )
    created, errors = split(results)
    assert len(created) == 3 and len(errors) == 7
    assert all(isinstance(e, QuotaExceeded) and e.details["quota"] == "max_keys" for e in errors)
    assert await count(world, "SELECT count(*) FROM api_keys WHERE project_id = :p") == 3
    assert len(await core.keys.list_keys(world.manager, pid)) == 3
    assert (
        await count(world, "SELECT count(*) FROM audit_log WHERE project_id = :p AND action = 'key.create'")
        == 3
    )


async def test_parallel_creation_of_one_slug_makes_one_page(world: World) -> None:
    core, pid = world.core, world.project_id
    results = await asyncio.gather(
        *(
            core.editing.create_page(world.editor, pid, PageCreate(slug="guides/same", title=f"Attempt {i}"))
            for i in range(10)
        ),
        return_exceptions=True,
    )
    created, errors = split(results)
    assert len(created) == 1 and len(errors) == 9
    assert all(isinstance(e, Conflict) and e.code == "page_exists" for e in errors)
    assert {e.details["path"] for e in errors} == {created[0].page.path}  # type: ignore[attr-defined]
    assert await count(world, "SELECT count(*) FROM pages WHERE project_id = :p") == 1
    assert (
        await count(
            world,
            "SELECT count(*) FROM page_revisions r JOIN pages g ON g.id = r.page_id WHERE g.project_id = :p",
        )
        == 1
    )
    assert await count(world, "SELECT count(*) FROM page_search WHERE project_id = :p") == 1


async def test_parallel_creation_respects_max_pages(world: World) -> None:
    core, pid = world.core, world.project_id
    await core.plans.update_plan(world.admin, pid, PlanUpdate(quotas={"max_pages": 4}))
    results = await asyncio.gather(
        *(
            core.editing.create_page(world.editor, pid, PageCreate(slug=f"p{i}", title=f"Page {i}"))
            for i in range(10)
        ),
        return_exceptions=True,
    )
    created, errors = split(results)
    assert len(created) == 4 and all(isinstance(e, QuotaExceeded) for e in errors)
    assert await count(world, "SELECT count(*) FROM pages WHERE project_id = :p") == 4


async def test_parallel_uploads_of_one_custom_page_serialise(world: World) -> None:
    """Uploads serialise per page: of parallel creations one wins and the others find the page and are told
    to pass base_version; of parallel replacements based on one version one wins, the others are stale."""
    core, pid = world.core, world.project_id

    def upload(i: int, base_version: int | None = None) -> Any:
        return core.custom_pages.upload_custom_page(
            world.editor,
            pid,
            CustomPageUpload(
                project_name=world.project_name,
                slug="landing",
                title="Landing page title",
                description=LONG_DESCRIPTION,
                body=f"<h1>Version {i}</h1>",
                base_version=base_version,
            ),
        )

    uploaded, errors = split(await asyncio.gather(*(upload(i) for i in range(5)), return_exceptions=True))
    assert len(uploaded) == 1 and uploaded[0].page.version == 1
    assert len(errors) == 4 and all(
        isinstance(e, InvalidInput) and e.code == "missing_base_version" for e in errors
    )
    uploaded, errors = split(
        await asyncio.gather(*(upload(i, base_version=1) for i in range(5, 10)), return_exceptions=True)
    )
    assert len(uploaded) == 1 and uploaded[0].page.version == 2
    assert len(errors) == 4 and all(isinstance(e, StaleVersion) for e in errors)
    assert await count(world, "SELECT count(*) FROM pages WHERE project_id = :p") == 1
    assert (
        await count(
            world,
            "SELECT count(*) FROM page_revisions r JOIN pages g ON g.id = r.page_id WHERE g.project_id = :p",
        )
        == 2
    )


async def test_parallel_navigation_replacements_do_not_interleave(world: World) -> None:
    """update-navigation replaces the whole tree; concurrent replacements must leave exactly one of them."""
    core, pid = world.core, world.project_id

    def tree(n: int) -> NavigationUpdate:
        return NavigationUpdate(
            sidebar_groups=[
                SidebarGroupInput(title={"en": f"Set {n} group {g}"}, icon="help") for g in range(2)
            ],
            header_nav_items=[HeaderNavItemInput(label={"en": f"Set {n}"}, target="pricing")],
        )

    results = await asyncio.gather(
        *(core.navigation.update_navigation(world.manager, pid, tree(n)) for n in range(6)),
        return_exceptions=True,
    )
    done, errors = split(results)
    assert errors == [] and len(done) == 6
    nav = await core.navigation.get_navigation(world.viewer, pid)
    titles = [g.title["en"] for g in nav.sidebar_groups]
    assert len(titles) == 2 and len({t.split(" group")[0] for t in titles}) == 1, titles
    assert [g.position for g in nav.sidebar_groups] == [0, 1]
    assert len(nav.header_nav_items) == 1
    assert nav.header_nav_items[0].label["en"] == titles[0].split(" group")[0]


async def test_parallel_theme_edits_are_not_lost(world: World) -> None:
    """Each theme update merges into the stored theme; parallel ones must all survive (no lost update)."""
    core, pid = world.core, world.project_id
    # Colours that keep AA contrast whatever order the updates land in (the theme rule checks each merge).
    colors = {"primary": "#000001", "accent": "#000002", "background": "#fffffd", "text": "#000003"}
    results = await asyncio.gather(
        *(
            core.navigation.update_theme(
                world.manager, pid, ThemeUpdate(project_name=world.project_name, colors={name: value})
            )  # type: ignore[arg-type]
            for name, value in colors.items()
        ),
        return_exceptions=True,
    )
    assert split(results)[1] == []
    theme = await core.navigation.get_theme(world.viewer, pid)
    assert theme.theme["colors"] == colors


async def test_parallel_plan_changes_are_not_lost(world: World) -> None:
    core, pid = world.core, world.project_id
    quotas = {"max_pages": 7, "max_keys": 8, "max_members": 9, "max_locales": 6}
    results = await asyncio.gather(
        *(
            core.plans.update_plan(world.admin, pid, PlanUpdate(quotas={name: value}))
            for name, value in quotas.items()
        ),
        return_exceptions=True,
    )
    assert split(results)[1] == []
    plan = (await core.projects.get_project(world.manager, pid)).plan
    assert {name: getattr(plan.quotas, name) for name in quotas} == quotas


async def test_parallel_projects_with_one_name_get_distinct_slugs(world: World) -> None:
    core = world.core
    results = await asyncio.gather(
        *(core.projects.create_project(world.manager, ProjectCreate(name="Twin Site")) for _ in range(5)),
        return_exceptions=True,
    )
    created, errors = split(results)
    assert errors == []
    assert sorted(p.slug for p in created) == [
        "twin-site",
        "twin-site-2",
        "twin-site-3",
        "twin-site-4",
        "twin-site-5",
    ]
