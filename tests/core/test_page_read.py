"""The two ways to read a page agree: the session-free page read (``read_page``, behind get-page-content)
and the session path every other use case takes (``project_access`` + ``find_page`` + the revisions,
template fields and translation gaps), for every kind of handle, caller, project and required role."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy import inspect as sa_inspect
from sqlmodel import SQLModel

from comstack_core import Principal
from comstack_core.auth import Role
from comstack_core.errors import DomainError
from comstack_core.schemas import PageCreate, PageRef, PageStatusUpdate, PageUpdate, SettingsUpdate
from comstack_core.services.access import project_access
from comstack_core.services.page_read import read_page
from comstack_core.services.page_store.queries import (
    find_page,
    revision,
    session_translation_gaps,
    template_fields,
)
from comstack_core.usecases import Need, Rule, running

from ..conftest import World
from .test_support import create_page, every_caller, make_live, raise_quotas


def _values(obj: SQLModel | None) -> dict[str, Any] | None:
    if obj is None:
        return None
    return {prop.key: getattr(obj, prop.key) for prop in sa_inspect(type(obj)).column_attrs}


def _reading(need: Role) -> Rule:
    """A use case that reads one page, needing ``need`` (both paths take the need from the use case)."""
    return Rule(name="page read", need=Need(need.name), writes=False)


async def _outcome(read: Callable[..., Awaitable[tuple[Any, ...]]], *args: Any) -> tuple[Any, ...]:
    try:
        return ("read", *await read(*args))
    except DomainError as error:
        return ("refused", type(error).__name__, error.to_dict())


async def _fast(
    world: World, principal: Principal, project_id: str, ref: PageRef, need: Role
) -> tuple[Any, ...]:
    now = world.core.ctx.clock()
    with running(_reading(need)):
        read = await read_page(world.core.db, principal, project_id, ref, now=now)
    return (
        read.access.role,
        _values(read.access.project),
        _values(read.page),
        _values(read.draft),
        _values(read.live),
        read.fields,
        read.needs_translation,
    )


async def _session(
    world: World, principal: Principal, project_id: str, ref: PageRef, need: Role
) -> tuple[Any, ...]:
    now = world.core.ctx.clock()
    with running(_reading(need)):
        return await _session_read(world, principal, project_id, ref, now)


async def _session_read(
    world: World, principal: Principal, project_id: str, ref: PageRef, now: datetime
) -> tuple[Any, ...]:
    async with world.core.db.read() as session:
        access = await project_access(session, principal, project_id, now=now)
        page = await find_page(session, access.project, ref)
        gaps = await session_translation_gaps(session, access.project, [page])
        return (
            access.role,
            _values(access.project),
            _values(page),
            _values(await revision(session, page.draft_revision_id)),
            _values(await revision(session, page.live_revision_id)),
            await template_fields(session, page.doc_template_id),
            page.id in gaps,
        )


async def test_the_fast_read_and_the_session_path_agree_on_every_handle(world: World) -> None:
    core, pid = world.core, world.project_id
    await raise_quotas(world)
    await core.project_settings.update_settings(
        world.manager, pid, SettingsUpdate(knowledge_locales=["en", "es"], custom_page_locales=["en", "es"])
    )
    # Live with a newer draft (and a Spanish variant that is only a draft: a translation gap).
    intro = await create_page(world, "guides/intro", metadata={"difficulty": "easy"})
    await make_live(core, intro.path)
    edited = await core.editing.update_page(
        world.editor, pid, PageRef(path=intro.path), PageUpdate(base_version=intro.version + 1, content="v2")
    )
    assert edited.page.variant == "draft"
    spanish = await create_page(world, "guides/intro", language="es")
    drafty = await create_page(world, "drafty")  # never published
    taken_down = await create_page(world, "old-news")
    await make_live(core, taken_down.path)
    await core.pages.set_page_status(
        world.manager,
        pid,
        PageRef(path=taken_down.path),
        PageStatusUpdate(status="unpublished", project_name=world.project_name),
    )
    other_page = (
        await core.editing.create_page(
            world.outsider,
            world.other_project_id,
            PageCreate(slug="guides/intro", title="Theirs"),
        )
    ).page

    handles = [
        PageRef(path=intro.path),
        PageRef(path=spanish.path),
        PageRef(path=drafty.path),
        PageRef(path=taken_down.path),
        PageRef(path=other_page.path),  # another project's page id: not found here
        PageRef(path="pg_missing"),
        PageRef(path=intro.path, slug="Not A Slug!"),  # a path is the whole handle
        PageRef(slug="guides/intro"),  # the default locale
        PageRef(slug="guides/intro", language="en"),
        PageRef(slug="guides/intro", language="es"),
        PageRef(slug="guides/intro", language="ES"),  # normalised
        PageRef(slug="guides/intro", language="es-mx"),  # another variant: not found
        PageRef(slug="guides/intro", language="de"),
        PageRef(slug="drafty"),
        PageRef(slug="old-news"),
        PageRef(slug="missing"),
        PageRef(slug="Not A Slug!"),
        PageRef(slug="guides/intro", language="not a locale"),
    ]
    callers = await every_caller(world)
    seen: set[tuple[Any, ...]] = set()
    for project_id in (pid, world.other_project_id, "prj_missing"):
        for name, principal in callers.items():
            for ref in handles:
                for need in (Role.viewer, Role.editor):
                    fast = await _outcome(_fast, world, principal, project_id, ref, need)
                    slow = await _outcome(_session, world, principal, project_id, ref, need)
                    assert fast == slow, (project_id, name, ref, need)
                    seen.add(("refused", fast[2]["code"]) if fast[0] == "refused" else ("read",))
    # Every kind of answer was met, so the comparison covered each branch of both paths.
    assert seen >= {
        ("read",),
        ("refused", "project_not_found"),
        ("refused", "project_mismatch"),
        ("refused", "role_too_low"),
        ("refused", "page_not_found"),
        ("refused", "invalid_slug"),
        ("refused", "invalid_locale"),
    }, seen


async def test_the_fast_read_sees_drafts_live_and_translation_gaps(world: World) -> None:
    """What the comparison above relies on, spelled out once: the fast read returns both revisions and
    flags a live page whose locale variant is missing."""
    core, pid = world.core, world.project_id
    await raise_quotas(world)
    await core.project_settings.update_settings(
        world.manager, pid, SettingsUpdate(knowledge_locales=["en", "es"], custom_page_locales=["en", "es"])
    )
    page = await create_page(world, "guides/intro")
    with running(_reading(Role.viewer)):
        read = await read_page(core.db, world.viewer, pid, PageRef(slug="guides/intro"), now=core.ctx.clock())
    assert read.draft is not None and read.live is None and not read.needs_translation
    await make_live(core, page.path)
    await core.editing.update_page(
        world.editor, pid, PageRef(path=page.path), PageUpdate(base_version=page.version + 1, content="v2")
    )
    with running(_reading(Role.viewer)):
        read = await read_page(core.db, world.viewer, pid, PageRef(path=page.path), now=core.ctx.clock())
    assert read.draft is not None and read.live is not None and read.draft.id != read.live.id
    assert read.needs_translation  # live in en, nothing in es
