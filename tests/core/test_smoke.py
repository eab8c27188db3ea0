from __future__ import annotations

from comstack_core.schemas import PageCreate, PageRef, PageStatusUpdate, PageUpdate, SearchQuery

from ..conftest import World


async def test_create_edit_approve_search(world: World) -> None:
    core, pid = world.core, world.project_id
    saved = await core.editing.create_page(
        world.editor, pid, PageCreate(slug="guides/intro", title="Getting started", content="Hello widgets")
    )
    assert saved.page.status == "draft" and saved.page.version == 1
    again = await core.editing.update_page(
        world.editor, pid, PageRef(path=saved.page.path), PageUpdate(base_version=1, content="Hello gadgets")
    )
    assert again.changed and again.page.version == 2
    approved = await core.pages.set_page_status(
        world.editor, pid, PageRef(slug="guides/intro"), PageStatusUpdate(status="ready", project_name="ACME docs ")
    )
    assert approved.status == "ready" and approved.next_action == "publish"
    found = await core.search.search_docs(world.editor, pid, SearchQuery(query="gadgets", include_drafts=True))
    assert [h.slug for h in found.hits] == ["guides/intro"]
