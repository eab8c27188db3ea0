"""Reads outside a session (``Database.fetch_one`` / ``fetch_all``) and model objects built from their
plain columns (``ModelColumns``): the same values the ORM loads, on both backends."""

from __future__ import annotations

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlmodel import SQLModel

from comstack_core.models import Page, PageRevision, Project
from comstack_core.models.columns import ModelColumns
from comstack_core.schemas import PageRef, PageUpdate

from ..conftest import World
from .test_support import create_page, make_live


def _values(obj: SQLModel) -> dict[str, object]:
    return {prop.key: getattr(obj, prop.key) for prop in sa_inspect(type(obj)).column_attrs}


async def test_objects_from_columns_equal_what_the_orm_loads(world: World) -> None:
    core = world.core
    made = await create_page(world, "guides/intro", content="Hello", metadata={"difficulty": "easy"})
    await make_live(core, made.path)
    async with core.db.read() as session:
        orm_page = await session.get_one(Page, made.path)
        orm_rev = await session.get_one(PageRevision, orm_page.live_revision_id)
        orm_project = await session.get_one(Project, world.project_id)

    cases: list[tuple[type[SQLModel], str, SQLModel]] = [
        (Page, made.path, orm_page),
        (PageRevision, orm_rev.id, orm_rev),
        (Project, world.project_id, orm_project),
    ]
    for model, key, orm_obj in cases:
        columns = ModelColumns(model, alias="other_name")
        row = await core.db.fetch_one(select(*columns.columns).where(columns.table.c.id == key), {})
        assert row is not None
        loaded = columns.load(row)
        assert isinstance(loaded, model)
        assert _values(loaded) == _values(orm_obj)  # datetimes keep their zone, JSON comes back as dicts
    assert loaded is not None and loaded.created_at.tzinfo is not None


async def test_an_outer_join_without_a_match_loads_nothing(world: World) -> None:
    revisions = ModelColumns(PageRevision)
    statement = select(*revisions.columns).where(revisions.table.c.id == "rev_missing")
    assert await world.core.db.fetch_one(statement, {}) is None
    assert revisions.load([None] * len(revisions.columns)) is None


async def test_fetch_all_returns_every_row_and_sees_every_commit(world: World) -> None:
    core = world.core
    statement = select(Page.slug).where(Page.project_id == world.project_id).order_by(Page.slug)
    assert list(await core.db.fetch_all(statement, {})) == []
    await create_page(world, "b")
    await create_page(world, "a")
    assert [row.slug for row in await core.db.fetch_all(statement, {})] == ["a", "b"]


async def test_a_page_read_reflects_the_latest_commit(world: World) -> None:
    """The session-free read serves get-page-content: a write committed just before must be visible."""
    core, pid = world.core, world.project_id
    page = await create_page(world, "guides/intro", content="one")
    for text in ("two", "three"):
        current = await core.pages.get_page(world.editor, pid, PageRef(path=page.path))
        await core.editing.update_page(
            world.editor, pid, PageRef(path=page.path), PageUpdate(base_version=current.version, content=text)
        )
        assert (await core.pages.get_page(world.editor, pid, PageRef(path=page.path))).content == text
