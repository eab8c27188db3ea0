"""Pages (SPEC §3): fields, slugs, metadata validation, approval, status and next_action, deletion, and the
knowledge/custom tool split."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from comstack_core.errors import Conflict, Forbidden, InvalidInput, NameEchoMismatch, NotFound, WrongTool
from comstack_core.models import Page, PageRevision
from comstack_core.rules.slugs import validate_slug
from comstack_core.schemas import (
    CustomPageUpload,
    DraftSave,
    PageCreate,
    PageFilter,
    PageRef,
    PageStatusUpdate,
    PageUpdate,
    ProjectCreate,
    SettingsUpdate,
    VisibilityUpdate,
)

from ..conftest import FakeClock, World
from .test_support import LONG_DESCRIPTION, audit_rows, create_page, expect, make_live, search_rows, snapshot

BAD_SLUGS = [
    "..",
    "a/../b",
    "./a",
    "%2e",
    "%2e%2e/etc",
    "Guides",
    "guides/Intro",
    "guides/",
    "/guides",
    "/",
    "a//b",
    "",
    "a" * 201,
    "getting started",
    " guides",
    "guides\n",
    "guía",
    "ünïcode/page",
    "snake_case",
    "a.b",
    "a?b",
    "a#b",
    "a\\b",
]


@pytest.mark.parametrize("slug", BAD_SLUGS)
def test_validate_slug_refuses(slug: str) -> None:
    with pytest.raises(InvalidInput) as info:
        validate_slug(slug)
    assert info.value.code == "invalid_slug"
    assert "lowercase segments" in info.value.message


@pytest.mark.parametrize(
    "slug", ["index", "guides/intro", "a", "0", "a-b/c-d/e1", "-", "a" * 200, "ab/" * 66 + "ab"]
)
def test_validate_slug_accepts(slug: str) -> None:
    assert validate_slug(slug) == slug


async def test_malformed_slugs_write_nothing(world: World) -> None:
    core, pid = world.core, world.project_id
    await create_page(world, "existing")
    before = await snapshot(core, pid)
    for slug in BAD_SLUGS:
        with pytest.raises(InvalidInput) as info:
            await core.editing.create_page(world.editor, pid, PageCreate(slug=slug, title="Bad slug"))
        assert info.value.code == "invalid_slug", slug
        with pytest.raises(InvalidInput) as info:
            await core.editing.save_draft(
                world.editor, pid, DraftSave(draft_id="new", slug=slug, title="Bad slug")
            )
        # Edit Mode reports an empty slug as a missing one; still a 400 that writes nothing.
        assert info.value.code == ("missing_fields" if slug == "" else "invalid_slug"), slug
        with pytest.raises(InvalidInput) as info:
            await core.custom_pages.upload_custom_page(
                world.editor,
                pid,
                CustomPageUpload(
                    project_name=world.project_name,
                    slug=slug,
                    title="A fine title",
                    description=LONG_DESCRIPTION,
                    body="<h1>x</h1>",
                ),
            )
        assert info.value.code == "invalid_slug", slug
        # Addressing a page by a malformed slug is the same 400, never a lookup.
        with pytest.raises(InvalidInput) as info:
            await core.pages.get_page(world.editor, pid, PageRef(slug=slug or "x/"))
        assert info.value.code == "invalid_slug", slug
    assert await snapshot(core, pid) == before


async def test_every_field_of_a_saved_page(world: World, clock: FakeClock) -> None:
    core, pid = world.core, world.project_id
    publish_at = clock.now + timedelta(days=2)
    saved = await core.editing.create_page(
        world.editor,
        pid,
        PageCreate(
            slug="guides/intro",
            title="Getting started with widgets",
            description="How to set up widgets. " * 3,
            content="# Intro\n\nWidgets are great.",
            metadata={"keywords": ["widgets", "setup"], "owner": "ops"},
            audience="internal",
            publish_at=publish_at,
        ),
    )
    page = saved.page
    assert re.fullmatch(r"pg_[a-z0-9]{14}", page.path)
    assert page.model_dump() == {
        "path": page.path,
        "slug": "guides/intro",
        "language": "en",
        "title": "Getting started with widgets",
        "description": "How to set up widgets. " * 3,
        "content": "# Intro\n\nWidgets are great.",
        "body_source": None,
        "body_format": None,
        "doc_template_id": "docs",
        "page_type": "knowledge",
        "metadata": {"keywords": ["widgets", "setup"], "owner": "ops"},
        "audience": "internal",
        "status": "draft",
        "next_action": "approve",
        "variant": "draft",
        "has_draft": True,
        "is_live": False,
        "canonical_slug": "guides/intro",
        "translation_of": None,
        "source_hash": None,
        "publish_at": publish_at,
        "images": [],
        "version": 1,
        "created_at": clock.now,
        "created_by": world.editor.user_id,
        "updated_at": clock.now,
        "updated_by": world.editor.user_id,
    }
    assert saved.changed and saved.missing_required == []
    assert saved.lint_findings == []
    # Reading it back gives the same page, to editors and (as the draft) to viewers.
    assert (
        await core.pages.get_page(world.editor, pid, PageRef(slug="guides/intro"))
    ).model_dump() == page.model_dump()
    assert (await core.pages.get_page(world.viewer, pid, PageRef(path=page.path), variant="draft")) == page
    # The stored revision holds the content and its hash.
    async with core.db.read() as session:
        [rev] = list(await session.exec(select(PageRevision).where(PageRevision.page_id == page.path)))
    assert (rev.number, rev.title, rev.note, rev.published, rev.created_by) == (
        1,
        "Getting started with widgets",
        "created",
        False,
        world.editor.user_id,
    )
    assert re.fullmatch(r"[0-9a-f]{64}", rev.content_hash)


async def test_knowledge_lint_is_advice_only(world: World) -> None:
    saved = await world.core.editing.create_page(
        world.editor, world.project_id, PageCreate(slug="short", title="Short", description="Tiny")
    )
    assert [f.rule for f in saved.lint_findings] == ["title-length", "description-length"]
    assert saved.page.status == "draft"
    long = await world.core.editing.create_page(
        world.editor,
        world.project_id,
        PageCreate(slug="long", title="A perfectly fine title", description="x" * 161),
    )
    assert [f.rule for f in long.lint_findings] == ["description-length"]
    assert "over 160" in long.lint_findings[0].message


async def test_defaults_and_duplicates(world: World) -> None:
    page = await create_page(world, "index")
    assert (page.language, page.doc_template_id, page.audience, page.publish_at) == (
        "en",
        "docs",
        "public",
        None,
    )
    # The same slug in the same language is one page.
    first = await create_page(world, "dup")
    before = await snapshot(world.core, world.project_id)
    error = await expect(Conflict, "page_exists", create_page(world, "dup"))
    assert error.details == {"path": first.path}
    assert await snapshot(world.core, world.project_id) == before


async def test_wrong_metadata_types_name_each_field_and_write_nothing(world: World) -> None:
    core, pid = world.core, world.project_id
    before = await snapshot(core, pid)
    error = await expect(
        InvalidInput,
        "invalid_metadata",
        core.editing.create_page(
            world.editor,
            pid,
            PageCreate(
                slug="typed", title="Typed page", metadata={"keywords": "widgets", "updated": "last tuesday"}
            ),
        ),
    )
    assert error.details["field_errors"] == [
        "keywords: expected array, got str",
        "updated: expected date (YYYY-MM-DD), got str",
    ]
    assert "keywords" in error.message and "updated" in error.message
    assert await snapshot(core, pid) == before

    page = await create_page(world, "typed", metadata={"keywords": ["ok"], "updated": "2024-05-01"})
    before = await snapshot(core, pid)
    for metadata, field in [
        ({"keywords": {"a": 1}}, "keywords"),
        ({"updated": 20240501}, "updated"),
        ({"updated": "2024-02-30"}, "updated"),
        ({"updated": "2024-05-01 or so"}, "updated"),
    ]:
        error = await expect(
            InvalidInput,
            "invalid_metadata",
            core.editing.update_page(
                world.editor, pid, PageRef(path=page.path), PageUpdate(base_version=1, metadata=metadata)
            ),
        )
        assert [e.split(":")[0] for e in error.details["field_errors"]] == [field], metadata
    assert await snapshot(core, pid) == before
    # Datetimes are dates too; unknown keys are free-form.
    ok = await core.editing.update_page(
        world.editor,
        pid,
        PageRef(path=page.path),
        PageUpdate(base_version=1, metadata={"updated": "2024-05-01T10:00:00+00:00", "anything": {"x": [1]}}),
    )
    assert ok.page.metadata["updated"] == "2024-05-01T10:00:00+00:00"


async def test_product_field_types(world: World) -> None:
    core = world.core
    shop = await core.projects.create_project(
        world.manager, ProjectCreate(name="Shop", template_id="business-voice")
    )
    error = await expect(
        InvalidInput,
        "invalid_metadata",
        core.editing.create_page(
            world.manager,
            shop.id,
            PageCreate(
                slug="products/w",
                title="Widget",
                doc_template_id="product",
                metadata={"price": True, "in_stock": "yes", "sku": 12},
            ),
        ),
    )
    assert error.details["field_errors"] == [
        "sku: expected string, got int",
        "price: expected number, got bool",
        "in_stock: expected boolean, got str",
    ]
    saved = await core.editing.create_page(
        world.manager,
        shop.id,
        PageCreate(
            slug="products/w",
            title="Widget",
            doc_template_id="product",
            metadata={"price": 9.5, "in_stock": True},
        ),
    )
    assert saved.missing_required == [] and saved.page.next_action == "approve"


async def test_required_fields_block_approval(world: World) -> None:
    core, pid = world.core, world.project_id
    saved = await core.editing.create_page(
        world.editor,
        pid,
        PageCreate(slug="blog/launch", title="We launched", doc_template_id="blog", metadata={"author": ""}),
    )
    assert saved.missing_required == ["author", "published"]
    assert (saved.page.status, saved.page.next_action) == ("draft", "edit")
    ref = PageRef(slug="blog/launch")
    approve = PageStatusUpdate(status="ready", project_name=world.project_name)

    before = await snapshot(core, pid)
    error = await expect(
        InvalidInput, "missing_required_fields", core.pages.set_page_status(world.editor, pid, ref, approve)
    )
    assert error.details["missing_fields"] == ["author", "published"]
    assert "author, published" in error.message
    assert await snapshot(core, pid) == before

    step = await core.editing.update_page(
        world.editor, pid, ref, PageUpdate(base_version=1, metadata={"author": "Ada"})
    )
    assert step.missing_required == ["published"]
    error = await expect(
        InvalidInput, "missing_required_fields", core.pages.set_page_status(world.editor, pid, ref, approve)
    )
    assert error.details["missing_fields"] == ["published"]

    await core.editing.update_page(
        world.editor, pid, ref, PageUpdate(base_version=2, metadata={"published": "2024-06-01"})
    )
    approved = await core.pages.set_page_status(world.editor, pid, ref, approve)
    assert (approved.status, approved.next_action, approved.version) == ("ready", "publish", 4)
    # The state overview lists the template's required fields.
    state = await core.state.get_project_state(world.viewer, pid)
    assert {t.id: t.required_fields for t in state.templates}["blog"] == ["author", "published"]


async def test_metadata_is_merged_and_null_deletes(world: World) -> None:
    core, pid = world.core, world.project_id
    page = await create_page(world, "merge", metadata={"keywords": ["a"], "owner": "ops", "team": "core"})
    saved = await core.editing.update_page(
        world.editor,
        pid,
        PageRef(path=page.path),
        PageUpdate(base_version=1, metadata={"owner": None, "team": "docs", "new": 1, "absent": None}),
    )
    assert saved.page.metadata == {"keywords": ["a"], "team": "docs", "new": 1}
    # Omitted metadata leaves it alone.
    again = await core.editing.update_page(
        world.editor, pid, PageRef(path=page.path), PageUpdate(base_version=2, title="Merged page")
    )
    assert again.page.metadata == {"keywords": ["a"], "team": "docs", "new": 1}
    assert again.page.title == "Merged page" and again.page.content == "Body of merge"


async def test_status_transitions(world: World) -> None:
    core, pid = world.core, world.project_id
    page = await create_page(world, "flow")
    ref = PageRef(path=page.path)

    def status(value: str, name: str | None = None) -> PageStatusUpdate:
        return PageStatusUpdate(status=value, project_name=name or world.project_name)  # type: ignore[arg-type]

    ready = await core.pages.set_page_status(world.editor, pid, ref, status("ready", "  acme DOCS "))
    assert (ready.status, ready.next_action, ready.version, ready.has_draft) == ("ready", "publish", 2, True)
    withdrawn = await core.pages.set_page_status(world.editor, pid, ref, status("draft"))
    assert (withdrawn.status, withdrawn.next_action, withdrawn.version) == ("draft", "approve", 3)
    # Editing an approved draft withdraws the approval.
    await core.pages.set_page_status(world.editor, pid, ref, status("ready"))
    edited = await core.editing.update_page(
        world.editor, pid, ref, PageUpdate(base_version=4, content="changed")
    )
    assert (edited.page.status, edited.page.next_action) == ("draft", "approve")

    # Taking down needs a live page ...
    await expect(
        Conflict, "not_live", core.pages.set_page_status(world.manager, pid, ref, status("unpublished"))
    )
    # ... and the name echo ...
    error = await expect(
        NameEchoMismatch,
        "project_name_mismatch",
        core.pages.set_page_status(world.editor, pid, ref, status("ready", "Acme Doc")),
    )
    assert error.details == {"expected": "Acme Docs", "supplied": "Acme Doc"}
    # Put the page live directly in the database (make_live stands in for publishing).
    await core.pages.set_page_status(world.editor, pid, ref, status("ready"))
    await make_live(core, page.path)
    live = await core.pages.get_page(world.viewer, pid, ref)
    assert (live.status, live.next_action, live.variant, live.is_live, live.has_draft) == (
        "live",
        "none",
        "live",
        True,
        False,
    )
    await expect(Conflict, "no_draft", core.pages.set_page_status(world.editor, pid, ref, status("ready")))
    await expect(Conflict, "no_draft", core.pages.set_page_status(world.editor, pid, ref, status("draft")))
    # ... and the manager role.
    await expect(
        Forbidden, "role_too_low", core.pages.set_page_status(world.editor, pid, ref, status("unpublished"))
    )
    down = await core.pages.set_page_status(world.manager, pid, ref, status("unpublished"))
    # Still deployed: the next publish removes it.
    assert (down.status, down.next_action) == ("unpublished", "publish")
    listed = await core.pages.list_pages(world.viewer, pid, PageFilter(status="unpublished"))
    assert [(p.slug, p.status, p.next_action) for p in listed.pages] == [("flow", "unpublished", "publish")]
    actions = [r.action for r in await audit_rows(core, pid) if r.target_ids[:1] == [page.path]]
    assert sorted(set(actions)) == [
        "page.create",
        "page.status.draft",
        "page.status.ready",
        "page.status.unpublished",
        "page.update",
    ]


async def test_unpublished_page_not_on_the_site_needs_nothing(world: World) -> None:
    core, pid = world.core, world.project_id
    page = await create_page(world, "gone")
    await make_live(core, page.path)
    async with core.db.write() as session:
        row = await session.get_one(Page, page.path)
        row.on_site = False  # live in the database but never deployed (e.g. its deploy was reverted)
        session.add(row)
    down = await core.pages.set_page_status(
        world.manager,
        pid,
        PageRef(path=page.path),
        PageStatusUpdate(status="unpublished", project_name=world.project_name),
    )
    assert (down.status, down.next_action) == ("unpublished", "none")


async def test_next_action_translate(world: World) -> None:
    core, pid = world.core, world.project_id
    await core.project_settings.update_settings(
        world.manager, pid, SettingsUpdate(knowledge_locales=["en", "de"], custom_page_locales=["en", "de"])
    )
    source = await create_page(world, "guides/intro", content="Hello")
    # The source goes live directly through the database (make_live stands in for publishing).
    await make_live(core, source.path)
    view = await core.pages.get_page(world.viewer, pid, PageRef(path=source.path))
    assert (view.status, view.next_action) == ("live", "translate")
    state = await core.state.get_project_state(world.viewer, pid)
    assert [(p.slug, p.next_action) for p in state.pages_by_status.live] == [
        ("guides/intro", "translate")
    ]

    # A German variant made from the current live version closes the gap ...
    variant = await create_page(world, "guides/intro", language="de", content="Hallo")
    async with core.db.write() as session:
        source_row = await session.get_one(Page, source.path)
        row = await session.get_one(Page, variant.path)
        row.translation_of, row.source_hash = source.path, source_row.live_hash
        session.add(row)
    view = await core.pages.get_page(world.viewer, pid, PageRef(path=source.path))
    assert view.next_action == "none"
    listed = {
        (p.slug, p.language): p.next_action for p in (await core.pages.list_pages(world.viewer, pid)).pages
    }
    assert listed == {("guides/intro", "en"): "none", ("guides/intro", "de"): "approve"}

    # ... until the source is published again with new content.
    await core.editing.update_page(
        world.editor,
        pid,
        PageRef(path=source.path),
        PageUpdate(base_version=view.version, content="Hello again"),
    )
    await make_live(core, source.path)
    assert (
        await core.pages.get_page(world.viewer, pid, PageRef(path=source.path))
    ).next_action == "translate"


async def test_delete_page_needs_the_name_echo(world: World) -> None:
    core, pid = world.core, world.project_id
    page = await create_page(world, "doomed", content="Unique zebra words")
    await core.editing.update_page(
        world.editor, pid, PageRef(path=page.path), PageUpdate(base_version=1, content="zebra again")
    )
    assert len(await search_rows(core, page.path)) == 1
    before = await snapshot(core, pid)
    error = await expect(
        NameEchoMismatch,
        "project_name_mismatch",
        core.pages.delete_page(world.manager, pid, PageRef(path=page.path), "Acme Dogs"),
    )
    assert "'Acme Docs'" in error.message and "'Acme Dogs'" in error.message
    await expect(
        Forbidden,
        "role_too_low",
        core.pages.delete_page(world.editor, pid, PageRef(path=page.path), world.project_name),
    )
    assert await snapshot(core, pid) == before

    await core.pages.delete_page(world.manager, pid, PageRef(slug="doomed"), " ACME docs")
    await expect(NotFound, "page_not_found", core.pages.get_page(world.manager, pid, PageRef(path=page.path)))
    assert await search_rows(core, page.path) == []
    async with core.db.read() as session:
        assert list(await session.exec(select(PageRevision).where(PageRevision.page_id == page.path))) == []
    [row] = await audit_rows(core, pid, action="page.delete")
    assert (row.target_ids, row.detail) == ([page.path], {"slug": "doomed", "language": "en"})
    await expect(
        NotFound,
        "page_not_found",
        core.pages.delete_page(world.manager, pid, PageRef(path=page.path), world.project_name),
    )


async def test_custom_pages_and_knowledge_tools_do_not_mix(world: World) -> None:
    core, pid = world.core, world.project_id
    custom = await core.custom_pages.upload_custom_page(
        world.editor,
        pid,
        CustomPageUpload(
            project_name=world.project_name,
            slug="pricing",
            title="Pricing for teams",
            description=LONG_DESCRIPTION,
            body="<h1>Pricing</h1>",
        ),
    )
    knowledge = await create_page(world, "guides/intro")
    before = await snapshot(core, pid)
    await expect(
        WrongTool,
        "wrong_tool_knowledge_page",
        core.editing.update_page(
            world.editor, pid, PageRef(path=custom.page.path), PageUpdate(base_version=1, content="x")
        ),
    )
    await expect(
        WrongTool,
        "wrong_tool_knowledge_page",
        core.editing.save_draft(
            world.editor, pid, DraftSave(draft_id=custom.page.path, base_version=1, title="Sneaky")
        ),
    )
    await expect(
        WrongTool,
        "wrong_tool_knowledge_page",
        core.editing.create_page(
            world.editor, pid, PageCreate(slug="landing", title="Landing", doc_template_id="custom-page")
        ),
    )
    await expect(
        WrongTool,
        "wrong_tool_knowledge_page",
        core.editing.create_page(
            world.editor, pid, PageCreate(slug="landing", title="Landing", metadata={"type": "custom"})
        ),
    )
    await expect(
        WrongTool,
        "wrong_tool_knowledge_page",
        core.custom_pages.upload_custom_page(
            world.editor,
            pid,
            CustomPageUpload(
                project_name=world.project_name,
                slug="guides/intro",
                title="Overwrite the guide",
                description=LONG_DESCRIPTION,
                body="<h1>Gotcha</h1>",
            ),
        ),
    )
    assert await snapshot(core, pid) == before
    assert knowledge.page_type == "knowledge" and custom.page.page_type == "custom"


async def test_templates_must_be_available_and_are_fixed(world: World) -> None:
    core, pid = world.core, world.project_id
    # 'product' is not part of the knowledge-site project template.
    error = await expect(
        InvalidInput,
        "unknown_template",
        core.editing.create_page(
            world.editor, pid, PageCreate(slug="p", title="Product", doc_template_id="product")
        ),
    )
    assert "docs, blog, faq, custom-page" in error.message
    await expect(
        InvalidInput,
        "unknown_template",
        core.editing.create_page(
            world.editor, pid, PageCreate(slug="p", title="Nope", doc_template_id="nope")
        ),
    )
    page = await create_page(world, "fixed")
    await expect(
        InvalidInput,
        "template_fixed",
        core.editing.save_draft(
            world.editor, pid, DraftSave(draft_id=page.path, base_version=1, doc_template_id="blog")
        ),
    )


async def test_visibility(world: World) -> None:
    core, pid = world.core, world.project_id
    page = await create_page(world, "hidden")
    internal = await core.pages.set_visibility(
        world.editor, pid, PageRef(path=page.path), VisibilityUpdate(audience="internal")
    )
    assert (internal.audience, internal.version) == ("internal", 2)
    same = await core.pages.set_visibility(
        world.editor, pid, PageRef(path=page.path), VisibilityUpdate(audience="internal")
    )
    assert same.version == 2
    assert len(await audit_rows(core, pid, action="page.visibility")) == 1


async def test_list_pages_filters(world: World) -> None:
    core, pid = world.core, world.project_id
    await core.project_settings.update_settings(
        world.manager, pid, SettingsUpdate(knowledge_locales=["en", "de"], custom_page_locales=["en", "de"])
    )
    await create_page(world, "guides/a")
    await create_page(world, "guides/b", audience="internal")
    await create_page(world, "guides/a", language="de")
    await create_page(
        world, "blog/x", doc_template_id="blog", metadata={"author": "A", "published": "2024-01-01"}
    )
    await core.pages.set_page_status(
        world.editor,
        pid,
        PageRef(slug="blog/x"),
        PageStatusUpdate(status="ready", project_name=world.project_name),
    )
    await core.custom_pages.upload_custom_page(
        world.editor,
        pid,
        CustomPageUpload(
            project_name=world.project_name,
            slug="pricing",
            title="Pricing for teams",
            description=LONG_DESCRIPTION,
            body="<h1>Pricing</h1>",
        ),
    )

    async def slugs(**filters: object) -> list[tuple[str, str]]:
        listed = await core.pages.list_pages(world.viewer, pid, PageFilter(**filters))  # type: ignore[arg-type]
        return [(p.language, p.slug) for p in listed.pages]

    assert await slugs() == [
        ("de", "guides/a"),
        ("en", "blog/x"),
        ("en", "guides/a"),
        ("en", "guides/b"),
        ("en", "pricing"),
    ]
    assert await slugs(language="DE") == [("de", "guides/a")]
    assert await slugs(audience="internal") == [("en", "guides/b")]
    assert await slugs(status="ready") == [("en", "blog/x")]
    assert await slugs(doc_template_id="blog") == [("en", "blog/x")]
    assert await slugs(page_type="custom") == [("en", "pricing")]
    assert await slugs(slug_prefix="guides/") == [("de", "guides/a"), ("en", "guides/a"), ("en", "guides/b")]
    page = await core.pages.list_pages(world.viewer, pid, PageFilter(limit=2, offset=1))
    assert page.total == 5 and [(p.language, p.slug) for p in page.pages] == [
        ("en", "blog/x"),
        ("en", "guides/a"),
    ]


async def test_get_page_variants(world: World) -> None:
    core, pid = world.core, world.project_id
    page = await create_page(world, "variants", content="v1")
    # A page that was never published has no live version for viewers.
    error = await expect(
        NotFound, "version_not_found", core.pages.get_page(world.viewer, pid, PageRef(path=page.path))
    )
    assert "not published yet" in error.message
    await make_live(core, page.path)  # stand-in for publishing: live at version 2
    await core.editing.update_page(
        world.editor, pid, PageRef(path=page.path), PageUpdate(base_version=2, content="v2")
    )
    assert (await core.pages.get_page(world.viewer, pid, PageRef(path=page.path))).content == "v1"
    assert (await core.pages.get_page(world.editor, pid, PageRef(path=page.path))).content == "v2"
    assert (
        await core.pages.get_page(world.editor, pid, PageRef(path=page.path), variant="live")
    ).content == "v1"


def test_page_ref_needs_a_handle() -> None:
    with pytest.raises(ValueError, match="address the page"):
        PageRef()


async def test_get_page_handles_and_refusals(world: World) -> None:
    """get-page-content's one-statement read applies the same handles, access rules and errors."""
    core, pid = world.core, world.project_id
    page = await create_page(world, "guides/handles", content="body")
    by_slug = await core.pages.get_page(world.editor, pid, PageRef(slug="guides/handles", language="EN"))
    assert by_slug.path == page.path and by_slug.content == "body"
    # A path is the whole handle: a language given beside it is not looked at.
    assert (
        await core.pages.get_page(world.editor, pid, PageRef(path=page.path, language="!!"))
    ).path == page.path
    await expect(
        NotFound, "page_not_found", core.pages.get_page(world.editor, pid, PageRef(slug="guides/none"))
    )
    await expect(
        NotFound, "page_not_found", core.pages.get_page(world.editor, pid, PageRef(path="pg_missing"))
    )
    # Outsiders learn nothing: not the page, and not whether their slug was well formed.
    await expect(
        NotFound, "project_not_found", core.pages.get_page(world.outsider, pid, PageRef(path=page.path))
    )
    await expect(
        NotFound, "project_not_found", core.pages.get_page(world.outsider, pid, PageRef(slug="Bad Slug"))
    )
    await expect(
        NotFound, "project_not_found", core.pages.get_page(world.editor, "prj_missing", PageRef(slug="x"))
    )
    await expect(
        InvalidInput, "invalid_slug", core.pages.get_page(world.editor, pid, PageRef(slug="Bad Slug"))
    )
    # The platform admin reads any project, as a manager would (the draft first).
    assert (await core.pages.get_page(world.admin, pid, PageRef(path=page.path))).variant == "draft"
