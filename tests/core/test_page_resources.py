"""The ``mcp_resource`` metadata block: checked at save, and live pages carrying it listed per caller
(SPEC §8). The listing runs on SQLite and PostgreSQL: it asks each dialect's JSON functions."""

from __future__ import annotations

from typing import Any

import pytest

from comstack_core.errors import InvalidInput
from comstack_core.schemas import (
    DocTemplateCreate,
    FieldDef,
    PageCreate,
    PageRef,
    PageStatusUpdate,
    PageUpdate,
    ProjectCreate,
    SettingsUpdate,
)

from ..conftest import World
from .test_custom_pages import upload
from .test_support import create_page, expect, key_principal, make_live, snapshot


async def live_page(world: World, slug: str, *, project_id: str | None = None, **fields: Any) -> str:
    pid = project_id or world.project_id
    who = world.editor if pid == world.project_id else world.outsider
    data = {"title": f"Page {slug}", "content": f"Body of {slug}", **fields}
    saved = await world.core.editing.create_page(who, pid, PageCreate(slug=slug, **data))
    await make_live(world.core, saved.page.path)
    return saved.page.path


def listed(resources: list[Any]) -> list[tuple[str, str, str, str, str]]:
    return [(r.project_id, r.slug, r.name, r.title, r.description) for r in resources]


@pytest.mark.parametrize(("block", "problem"), [
    ("pricing", "mcp_resource: expected an object"),
    (["pricing"], "mcp_resource: expected an object"),
    ({"name": "x" * 65}, "mcp_resource.name: at most 64 characters, got 65"),
    ({"name": 7}, "mcp_resource.name: expected string, got int"),
    ({"name": "  "}, "mcp_resource.name: must not be blank"),
    ({"name": "two\nlines"}, "mcp_resource.name: must be one line"),
    ({"title": "t" * 201}, "mcp_resource.title: at most 200 characters"),
    ({"description": "d" * 501}, "mcp_resource.description: at most 500 characters, got 501"),
    ({"desc": "typo"}, "mcp_resource: unknown key(s) desc; use name, title, description"),
])
async def test_a_bad_block_is_refused_at_save_and_writes_nothing(world: World, block: Any, problem: str) -> None:
    before = await snapshot(world.core, world.project_id)
    error = await expect(InvalidInput, "invalid_metadata", create_page(world, "guides/a", metadata={"mcp_resource": block}))
    assert any(line.startswith(problem) for line in error.details["field_errors"]), error.details
    assert problem in error.message
    assert await snapshot(world.core, world.project_id) == before


async def test_the_block_is_checked_on_update_and_custom_upload_and_removed_with_null(world: World) -> None:
    core, pid = world.core, world.project_id
    page = await create_page(world, "guides/a", metadata={"mcp_resource": {"name": "a", "description": "d" * 500}})
    await expect(InvalidInput, "invalid_metadata", core.editing.update_page(
        world.editor, pid, PageRef(path=page.path),
        PageUpdate(base_version=page.version, metadata={"mcp_resource": {"name": ""}})))
    cleared = await core.editing.update_page(
        world.editor, pid, PageRef(path=page.path), PageUpdate(base_version=page.version, metadata={"mcp_resource": None}))
    assert "mcp_resource" not in cleared.page.metadata
    await expect(InvalidInput, "invalid_metadata", core.custom_pages.upload_custom_page(
        world.editor, pid, upload(world, metadata={"mcp_resource": True})))


async def test_templates_cannot_define_a_field_named_mcp_resource(world: World) -> None:
    error = await expect(InvalidInput, "invalid_template", world.core.templates.create_doc_template(
        world.admin, DocTemplateCreate(id="clash", name="Clash", fields=[FieldDef(name="mcp_resource", type="string")])))
    assert "reserved" in error.message


async def test_live_pages_with_the_block_are_listed_for_whoever_can_read_them(world: World) -> None:
    core, pid = world.core, world.project_id
    await live_page(world, "pricing", description="What it costs.",
                    metadata={"mcp_resource": {"name": "prices", "title": "Price list", "description": "EUR prices"}})
    await live_page(world, "guides/setup", description="Set up in five minutes.", metadata={"mcp_resource": {}})
    await live_page(world, "guides/plain")  # live, no block
    await create_page(world, "guides/draft-only", metadata={"mcp_resource": {"name": "draft"}})  # never live
    await live_page(world, "theirs", project_id=world.other_project_id, metadata={"mcp_resource": {}})

    ours = [(pid, "guides/setup", "guides/setup", "Page guides/setup", "Set up in five minutes."),
            (pid, "pricing", "prices", "Price list", "EUR prices")]
    assert listed(await core.page_resources.list_page_resources(world.viewer)) == ours
    key = await key_principal(core, world.manager, pid, role="viewer")
    assert listed(await core.page_resources.list_page_resources(key)) == ours
    assert [r.slug for r in await core.page_resources.list_page_resources(world.outsider)] == ["theirs"]
    # A user's projects without such pages add nothing.
    await core.projects.create_project(world.editor, ProjectCreate(name="Empty"))
    assert listed(await core.page_resources.list_page_resources(world.editor)) == ours
    admin_sees = {(r.project_id, r.slug) for r in await core.page_resources.list_page_resources(world.admin)}
    assert admin_sees == {(pid, "guides/setup"), (pid, "pricing"), (world.other_project_id, "theirs")}


async def test_only_the_live_revision_and_the_default_language_count(world: World) -> None:
    core, pid = world.core, world.project_id
    path = await live_page(world, "guides/a")
    page = await core.pages.get_page(world.editor, pid, PageRef(path=path))
    # A draft that adds the block lists nothing until it is live.
    draft = await core.editing.update_page(world.editor, pid, PageRef(path=path), PageUpdate(
        base_version=page.version, metadata={"mcp_resource": {"name": "a"}}))
    assert await core.page_resources.list_page_resources(world.viewer) == []
    await make_live(core, path)
    assert [r.name for r in await core.page_resources.list_page_resources(world.viewer)] == ["a"]
    assert draft.changed
    # A page taken down is not live any more.
    await core.pages.set_page_status(world.manager, pid, PageRef(path=path),
                                     PageStatusUpdate(status="unpublished", project_name=world.project_name))
    assert await core.page_resources.list_page_resources(world.viewer) == []
    # Other languages are not addressable by the template (slug only: the default language).
    await core.project_settings.update_settings(
        world.manager, pid, SettingsUpdate(knowledge_locales=["en", "de"], custom_page_locales=["en", "de"]))
    await live_page(world, "guides/b", language="de", metadata={"mcp_resource": {}})
    assert await core.page_resources.list_page_resources(world.viewer) == []
