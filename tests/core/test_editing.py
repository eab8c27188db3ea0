"""Edit Mode (SPEC §3): one draft per page, cloned from live on the first real change; unchanged saves write
nothing; stale versions are refused; discard and restore."""

from __future__ import annotations

from sqlmodel import select

from comstack_core.errors import Conflict, InvalidInput, NotFound, StaleVersion
from comstack_core.models import Page, PageRevision
from comstack_core.schemas import (
    DraftDiscarded,
    DraftOpen,
    DraftSave,
    PageRef,
    PageStatusUpdate,
    PageUpdate,
    SearchQuery,
)

from ..conftest import FakeClock, World
from .test_support import create_page, expect, make_live, search_rows, snapshot


async def _revisions(world: World, path: str) -> list[tuple[int, str, bool]]:
    async with world.core.db.read() as session:
        rows = await session.exec(
            select(PageRevision).where(PageRevision.page_id == path).order_by(PageRevision.number)
        )  # type: ignore[arg-type]
        return [(r.number, r.content, r.published) for r in rows]


async def test_open_missing_page_is_new(world: World) -> None:
    before = await snapshot(world.core, world.project_id)
    opened = await world.core.editing.open_draft(world.editor, world.project_id, DraftOpen(slug="guides/new"))
    assert opened.model_dump() == {
        "draft_id": "new",
        "action": "new",
        "doc": None,
        "template": None,
        "base_version": None,
    }
    assert await snapshot(world.core, world.project_id) == before
    saved = await world.core.editing.save_draft(
        world.editor,
        world.project_id,
        DraftSave(
            draft_id="new",
            slug="guides/new",
            title="New guide",
            content="Fresh",
            doc_template_id="blog",
            metadata={"author": "Ada"},
        ),
    )
    assert (saved.page.slug, saved.page.doc_template_id, saved.page.version, saved.missing_required) == (
        "guides/new",
        "blog",
        1,
        ["published"],
    )
    # Once it exists, opening it again continues the draft.
    opened = await world.core.editing.open_draft(world.editor, world.project_id, DraftOpen(slug="guides/new"))
    assert (opened.action, opened.draft_id, opened.base_version) == ("existing_draft", saved.page.path, 1)
    await expect(
        InvalidInput,
        "missing_fields",
        world.core.editing.save_draft(
            world.editor, world.project_id, DraftSave(draft_id="new", slug="guides/other")
        ),
    )


async def test_open_live_page_clones_without_writing(world: World) -> None:
    core, pid = world.core, world.project_id
    page = await create_page(world, "guides/live", content="Live words")
    # The page goes live directly through the database (make_live stands in for publishing; version 2).
    await make_live(core, page.path)
    before = await snapshot(core, pid)
    opened = await core.editing.open_draft(world.editor, pid, DraftOpen(slug="guides/live"))
    assert (opened.action, opened.draft_id, opened.base_version) == ("cloned_from_live", page.path, 2)
    assert opened.doc is not None and opened.doc.content == "Live words" and opened.doc.variant == "draft"
    assert opened.template is not None and opened.template["id"] == "docs"
    assert await snapshot(core, pid) == before, "opening a live page must not write a draft"

    # Saving nothing new keeps it that way ...
    same = await core.editing.save_draft(
        world.editor, pid, DraftSave(draft_id=page.path, base_version=2, content="Live words")
    )
    assert not same.changed and not same.page.has_draft and same.page.variant == "live"
    assert await snapshot(core, pid) == before
    # ... the first real change writes the one draft; the live version stays what the site shows.
    changed = await core.editing.save_draft(
        world.editor, pid, DraftSave(draft_id=page.path, base_version=2, content="Draft words")
    )
    assert changed.changed and (changed.page.version, changed.page.status, changed.page.has_draft) == (
        3,
        "draft",
        True,
    )
    assert changed.page.is_live
    assert (await core.pages.get_page(world.viewer, pid, PageRef(path=page.path))).content == "Live words"
    assert [
        h.slug for h in (await core.search.search_docs(world.viewer, pid, SearchQuery(query="live"))).hits
    ] == ["guides/live"]
    assert (await core.search.search_docs(world.viewer, pid, SearchQuery(query="draft"))).hits == []
    assert await _revisions(world, page.path) == [(1, "Live words", True), (2, "Draft words", False)]

    reopened = await core.editing.open_draft(world.editor, pid, DraftOpen(slug="guides/live"))
    assert (reopened.action, reopened.base_version) == ("existing_draft", 3)
    assert reopened.doc is not None and reopened.doc.content == "Draft words"
    # Further saves reuse the same draft.
    third = await core.editing.save_draft(
        world.editor, pid, DraftSave(draft_id=page.path, base_version=3, title="Retitled")
    )
    assert (third.page.title, third.page.content, third.page.version) == ("Retitled", "Draft words", 4)


async def test_unchanged_save_writes_no_revision_and_keeps_the_version(world: World) -> None:
    core, pid = world.core, world.project_id
    page = await create_page(world, "same", content="Text", metadata={"keywords": ["a"]})
    before = await snapshot(core, pid)
    for update in [
        PageUpdate(base_version=1),
        PageUpdate(base_version=1, content="Text"),
        PageUpdate(base_version=1, title=page.title, metadata={"keywords": ["a"]}),
        PageUpdate(base_version=1, metadata={"not_there": None}),
    ]:
        saved = await core.editing.update_page(world.editor, pid, PageRef(path=page.path), update)
        assert not saved.changed and saved.page.version == 1
    assert await snapshot(core, pid) == before
    assert await _revisions(world, page.path) == [(1, "Text", False)]
    # A change to page-level fields alone (audience) is a change.
    moved = await core.editing.save_draft(
        world.editor, pid, DraftSave(draft_id=page.path, base_version=1, audience="internal")
    )
    assert moved.changed and moved.page.audience == "internal" and moved.page.version == 2


async def test_stale_base_version(world: World) -> None:
    core, pid = world.core, world.project_id
    page = await create_page(world, "race")
    await core.editing.update_page(
        world.editor, pid, PageRef(path=page.path), PageUpdate(base_version=1, content="first")
    )
    before = await snapshot(core, pid)
    error = await expect(
        StaleVersion,
        "stale_version",
        core.editing.update_page(
            world.manager, pid, PageRef(path=page.path), PageUpdate(base_version=1, content="lost update")
        ),
    )
    assert error.details == {"current_version": 2}
    assert "version 2" in error.message
    await expect(
        StaleVersion,
        "stale_version",
        core.editing.save_draft(
            world.manager, pid, DraftSave(draft_id=page.path, base_version=3, content="from the future")
        ),
    )
    assert await snapshot(core, pid) == before
    await expect(
        InvalidInput,
        "missing_base_version",
        core.editing.save_draft(world.manager, pid, DraftSave(draft_id=page.path, content="no version")),
    )
    assert (await core.pages.get_page(world.editor, pid, PageRef(path=page.path))).content == "first"


async def test_discard_a_never_published_page_removes_it(world: World) -> None:
    core, pid = world.core, world.project_id
    page = await create_page(world, "scratch", content="scratch pad")
    await core.editing.update_page(
        world.editor, pid, PageRef(path=page.path), PageUpdate(base_version=1, content="pad two")
    )
    result = await core.editing.discard_draft(world.editor, pid, PageRef(slug="scratch"))
    assert result == DraftDiscarded(path=page.path, page_deleted=True)
    await expect(NotFound, "page_not_found", core.pages.get_page(world.editor, pid, PageRef(path=page.path)))
    assert await _revisions(world, page.path) == []
    assert await search_rows(core, page.path) == []
    assert (
        await core.search.search_docs(world.editor, pid, SearchQuery(query="pad", include_drafts=True))
    ).hits == []


async def test_discard_on_a_live_page_keeps_live(world: World) -> None:
    core, pid = world.core, world.project_id
    page = await create_page(world, "kept", content="live text")
    await make_live(core, page.path)  # stand-in for publishing: live at version 2
    for n, text in enumerate(["draft one", "draft two"], start=2):
        await core.editing.update_page(
            world.editor, pid, PageRef(path=page.path), PageUpdate(base_version=n, content=text)
        )
    await core.pages.set_page_status(
        world.editor,
        pid,
        PageRef(path=page.path),
        PageStatusUpdate(status="ready", project_name=world.project_name),
    )
    assert await search_rows(core, page.path) == [("draft", "public"), ("live", "public")]
    result = await core.editing.discard_draft(world.editor, pid, PageRef(path=page.path))
    assert result == DraftDiscarded(path=page.path, page_deleted=False, version=6)
    view = await core.pages.get_page(world.editor, pid, PageRef(path=page.path))
    assert (view.content, view.status, view.has_draft, view.variant, view.next_action) == (
        "live text",
        "live",
        False,
        "live",
        "none",
    )
    # The draft's unpublished revisions are gone; the live one stays.
    assert await _revisions(world, page.path) == [(1, "live text", True)]
    assert await search_rows(core, page.path) == [("live", "public")]
    async with core.db.read() as session:
        row = await session.get_one(Page, page.path)
        assert (row.draft_revision_id, row.draft_approved) == (None, False)
    await expect(Conflict, "no_draft", core.editing.discard_draft(world.editor, pid, PageRef(path=page.path)))
    # Editing again starts a fresh draft numbered after the live revision.
    again = await core.editing.update_page(
        world.editor, pid, PageRef(path=page.path), PageUpdate(base_version=6, content="new draft")
    )
    assert again.page.version == 7
    assert await _revisions(world, page.path) == [(1, "live text", True), (2, "new draft", False)]


async def test_revisions_and_restore(world: World, clock: FakeClock) -> None:
    core, pid = world.core, world.project_id
    page = await create_page(world, "history", content="one", metadata={"keywords": ["v1"]})
    for n, text in enumerate(["two", "three"], start=1):
        clock.advance(minutes=1)
        await core.editing.update_page(
            world.manager,
            pid,
            PageRef(path=page.path),
            PageUpdate(base_version=n, content=text, metadata={"keywords": [text]}),
        )
    revisions = await core.pages.list_revisions(world.viewer, pid, PageRef(path=page.path))
    assert [(r.number, r.note, r.is_draft, r.is_live, r.published) for r in revisions] == [
        (3, "edited", True, False, False),
        (2, "edited", False, False, False),
        (1, "created", False, False, False),
    ]
    assert [r.created_by for r in revisions] == [
        world.manager.user_id,
        world.manager.user_id,
        world.editor.user_id,
    ]

    await core.pages.set_page_status(
        world.editor,
        pid,
        PageRef(path=page.path),
        PageStatusUpdate(status="ready", project_name=world.project_name),
    )
    await expect(
        StaleVersion,
        "stale_version",
        core.pages.restore_revision(world.editor, pid, PageRef(path=page.path), 1, base_version=3),
    )
    restored = await core.pages.restore_revision(
        world.editor, pid, PageRef(path=page.path), 1, base_version=4
    )
    assert (restored.content, restored.metadata, restored.version, restored.status) == (
        "one",
        {"keywords": ["v1"]},
        5,
        "draft",
    )
    revisions = await core.pages.list_revisions(world.viewer, pid, PageRef(path=page.path))
    assert [(r.number, r.note, r.is_draft) for r in revisions] == [
        (4, "restored revision 1", True),
        (3, "edited", False),
        (2, "edited", False),
        (1, "created", False),
    ]
    error = await expect(
        NotFound,
        "revision_not_found",
        core.pages.restore_revision(world.editor, pid, PageRef(path=page.path), 9),
    )
    assert "list-page-revisions" in error.message
    found = await core.search.search_docs(world.editor, pid, SearchQuery(query="one", include_drafts=True))
    assert [h.slug for h in found.hits] == ["history"]
    assert (
        await core.search.search_docs(world.editor, pid, SearchQuery(query="three", include_drafts=True))
    ).hits == []
