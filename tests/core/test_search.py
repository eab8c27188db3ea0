"""search-docs (SPEC §7): ranking, snippets, filters, live-only by default, drafts for editors, and the index
kept in step with every page write. Runs on SQLite FTS5 and PostgreSQL full-text search alike."""

from __future__ import annotations

from sqlalchemy import text

from comstack_core.errors import InvalidInput
from comstack_core.schemas import (
    DraftSave,
    PageCreate,
    PageRef,
    PageStatusUpdate,
    PageUpdate,
    SearchQuery,
    SettingsUpdate,
    VisibilityUpdate,
)

from ..conftest import World
from .test_support import create_page, expect, make_live, search_rows


async def search(world: World, query: str, *, who: object = None, **filters: object) -> list[str]:
    result = await world.core.search.search_docs(
        who or world.editor,
        world.project_id,  # type: ignore[arg-type]
        SearchQuery(query=query, **filters),
    )  # type: ignore[arg-type]
    assert result.total == len(result.hits)
    return [h.slug for h in result.hits]


async def live_page(world: World, slug: str, **fields: object) -> str:
    page = await create_page(world, slug, **fields)
    await make_live(world.core, page.path)  # stand-in for publishing; see make_live
    return str(page.path)


async def test_title_match_outranks_body_match(world: World) -> None:
    await live_page(
        world,
        "body",
        title="Everything about setup",
        content="This long page mentions the gizmo once among many other words about setup.",
    )
    await live_page(world, "title", title="Gizmo handbook", content="How to use it well.")
    await live_page(
        world, "description", title="Other things", description="All about the gizmo", content="Plain text."
    )
    await live_page(world, "unrelated", title="Nothing here", content="No match at all.")
    assert await search(world, "gizmo") == ["title", "description", "body"]
    result = await world.core.search.search_docs(world.viewer, world.project_id, SearchQuery(query="gizmo"))
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1]
    assert {h.variant for h in result.hits} == {"live"} and {h.status for h in result.hits} == {"live"}


async def test_snippets_metadata_and_stemming(world: World) -> None:
    await live_page(
        world,
        "snip",
        title="Setup",
        content="Before you start, install the frobnicator on every host and restart the service afterwards.",
    )
    [hit] = (
        await world.core.search.search_docs(world.viewer, world.project_id, SearchQuery(query="frobnicator"))
    ).hits
    assert "[frobnicator]" in hit.snippet
    assert "install the" in hit.snippet
    assert (hit.title, hit.slug, hit.language) == ("Setup", "snip", "en")
    # Metadata is indexed too.
    await live_page(world, "tagged", title="Plain page", metadata={"keywords": ["quasar"]})
    assert await search(world, "quasar") == ["tagged"]
    # Both engines stem English: 'configuring' finds 'configure'.
    await live_page(world, "stem", content="How to configure the router")
    assert await search(world, "configuring") == ["stem"]


async def test_all_words_must_match_and_the_last_is_a_prefix(world: World) -> None:
    await live_page(world, "both", title="Widgets", content="Configure widgets and gadgets together")
    await live_page(world, "one", title="Widgets only", content="Configure widgets")
    assert sorted(await search(world, "widgets gadgets")) == ["both"]
    assert sorted(await search(world, "gadg")) == ["both"]
    assert sorted(await search(world, "configure")) == ["both", "one"]
    await expect(
        InvalidInput,
        "empty_query",
        world.core.search.search_docs(world.viewer, world.project_id, SearchQuery(query="!!! ???")),
    )
    # Query syntax characters are plain text, never operators.
    assert await search(world, 'widgets" OR "x') == []
    assert await search(world, "widgets AND zebra") == []
    assert sorted(await search(world, "widgets:*|(")) == ["both", "one"]


async def test_live_only_by_default_drafts_on_request(world: World) -> None:
    core, pid = world.core, world.project_id
    await create_page(world, "draft-only", content="Unreleased platypus notes")
    assert await search(world, "platypus") == []
    assert await search(world, "platypus", include_drafts=True) == ["draft-only"]
    # Viewers read drafts (SPEC §2), so they search them too.
    as_viewer = await core.search.search_docs(
        world.viewer, pid, SearchQuery(query="platypus", include_drafts=True)
    )
    assert [h.slug for h in as_viewer.hits] == ["draft-only"]
    # A live page with a pending draft: live text by default, draft text on request, one hit per page.
    path = await live_page(world, "mixed", content="Original platypus text")
    await core.editing.update_page(
        world.editor,
        pid,
        PageRef(path=path),
        PageUpdate(base_version=2, content="Revised platypus text with echidna"),
    )
    live = await core.search.search_docs(world.viewer, pid, SearchQuery(query="platypus"))
    assert [(h.slug, h.variant) for h in live.hits] == [("mixed", "live")]
    assert await search(world, "echidna") == []
    both = await core.search.search_docs(
        world.editor, pid, SearchQuery(query="platypus", include_drafts=True)
    )
    # One hit per page, whichever of its variants ranks better.
    assert sorted(h.slug for h in both.hits) == ["draft-only", "mixed"]
    assert {h.variant for h in both.hits if h.slug == "draft-only"} == {"draft"}
    assert len(both.hits) == 2
    assert await search(world, "echidna", include_drafts=True) == ["mixed"]


async def test_filters(world: World) -> None:
    core, pid = world.core, world.project_id
    await core.project_settings.update_settings(
        world.manager, pid, SettingsUpdate(knowledge_locales=["en", "de"], custom_page_locales=["en", "de"])
    )
    await live_page(world, "en-public", content="shared keyword aardvark")
    await live_page(world, "en-internal", content="shared keyword aardvark", audience="internal")
    await live_page(world, "de-page", language="de", content="shared keyword aardvark")
    await live_page(
        world,
        "blog-post",
        content="shared keyword aardvark",
        doc_template_id="blog",
        metadata={"author": "A", "published": "2024-01-01"},
    )
    await create_page(world, "ready-draft", content="shared keyword aardvark")
    await core.pages.set_page_status(
        world.editor,
        pid,
        PageRef(slug="ready-draft"),
        PageStatusUpdate(status="ready", project_name=world.project_name),
    )
    await create_page(world, "plain-draft", content="shared keyword aardvark")

    assert sorted(await search(world, "aardvark")) == ["blog-post", "de-page", "en-internal", "en-public"]
    assert await search(world, "aardvark", language="de") == ["de-page"]
    assert sorted(await search(world, "aardvark", language="en")) == ["blog-post", "en-internal", "en-public"]
    assert await search(world, "aardvark", audience="internal") == ["en-internal"]
    assert await search(world, "aardvark", doc_template_id="blog") == ["blog-post"]
    assert await search(world, "aardvark", status="ready", include_drafts=True) == ["ready-draft"]
    assert await search(world, "aardvark", status="draft", include_drafts=True) == ["plain-draft"]
    assert await search(world, "aardvark", status="ready") == []
    assert sorted(await search(world, "aardvark", audience="public", language="en", include_drafts=True)) == [
        "blog-post",
        "en-public",
        "plain-draft",
        "ready-draft",
    ]
    assert len(await search(world, "aardvark", include_drafts=True, limit=3)) == 3
    # Another project's pages never show up.
    await world.core.editing.create_page(
        world.outsider,
        world.other_project_id,
        PageCreate(slug="theirs", title="Their page", content="aardvark"),
    )
    assert "theirs" not in await search(world, "aardvark", include_drafts=True)


async def test_index_follows_updates(world: World) -> None:
    core, pid = world.core, world.project_id
    page = await create_page(world, "moving", content="old marmot")
    await core.editing.update_page(
        world.editor,
        pid,
        PageRef(path=page.path),
        PageUpdate(base_version=1, content="new ocelot", title="Ocelot page"),
    )
    assert await search(world, "marmot", include_drafts=True) == []
    assert await search(world, "ocelot", include_drafts=True) == ["moving"]
    assert await search_rows(core, page.path) == [("draft", "public")]


async def test_index_follows_delete_and_discard(world: World) -> None:
    core, pid = world.core, world.project_id
    deleted = await live_page(world, "deleted", content="capybara")
    discarded = await create_page(world, "discarded", content="capybara")
    await core.pages.delete_page(world.manager, pid, PageRef(path=deleted), world.project_name)
    await core.editing.discard_draft(world.editor, pid, PageRef(path=discarded.path))
    assert await search(world, "capybara", include_drafts=True) == []
    assert await search_rows(core, deleted) == [] and await search_rows(core, discarded.path) == []


async def test_index_follows_visibility(world: World) -> None:
    core, pid = world.core, world.project_id
    path = await live_page(world, "vis", content="narwhal")
    assert await search(world, "narwhal", audience="public") == ["vis"]
    await core.pages.set_visibility(
        world.editor, pid, PageRef(path=path), VisibilityUpdate(audience="internal")
    )
    assert await search(world, "narwhal", audience="public") == []
    assert await search(world, "narwhal", audience="internal") == ["vis"]
    assert await search_rows(core, path) == [("live", "internal")]


async def test_index_follows_an_audience_saved_with_a_draft(world: World) -> None:
    """A draft save that changes the page's audience rewrites the live row as well: every row of a page
    carries its audience."""
    core, pid = world.core, world.project_id
    path = await live_page(world, "aud", content="okapi")
    await core.editing.save_draft(
        world.editor,
        pid,
        DraftSave(draft_id=path, base_version=2, content="okapi draft", audience="internal"),
    )
    assert await search_rows(core, path) == [("draft", "internal"), ("live", "internal")]
    assert await search(world, "okapi", audience="public") == []
    assert await search(world, "okapi", audience="internal") == ["aud"]


async def test_index_follows_project_delete(world: World) -> None:
    """Deleting a project takes its pages out of the index too (no orphaned full-text rows)."""
    core, pid = world.core, world.project_id
    await live_page(world, "gone", content="quokka")
    await create_page(world, "draft-gone", content="quokka")
    await core.projects.delete_project(world.manager, pid, world.project_name)
    async with core.db.read() as session:
        count = (
            await session.exec(
                text("SELECT count(*) FROM page_search WHERE project_id = :p").bindparams(p=pid)  # type: ignore[call-overload]
            )
        ).one()[0]
    assert count == 0


async def test_deleting_rows_removes_exactly_the_rows_a_plain_delete_would(world: World) -> None:
    """The index deletes through its scope tokens and then by rowid (see ``search_index._delete_where``); the
    rows it leaves must be those a plain ``DELETE ... WHERE column = value`` leaves."""
    from comstack_core.services.page_store import search_index

    paths = [await live_page(world, f"guides/page-{n}") for n in range(3)]
    for path in paths:  # a draft over each live page: two rows per page
        await world.core.editing.update_page(
            world.editor, world.project_id, PageRef(path=path), PageUpdate(base_version=2, content="Draft")
        )
    other = (
        await world.core.editing.create_page(
            world.outsider, world.other_project_id, PageCreate(slug="x", title="Theirs")
        )
    ).page.path
    columns = "page_id, variant, project_id"

    async def rows() -> set[tuple[str, ...]]:
        async with world.core.db.read() as session:
            return {tuple(r) for r in await session.exec(text(f"SELECT {columns} FROM page_search"))}  # type: ignore[call-overload]

    expected = await rows()
    assert len(expected) == 7
    for match in (
        {"page_id": paths[0], "variant": "draft"},
        {"page_id": paths[0], "variant": "draft"},  # nothing left to delete
        {"page_id": paths[1]},
        {"page_id": "pg_missing"},
        {"project_id": world.project_id},
    ):
        async with world.core.db.write() as session:
            await search_index._delete_where(await session.connection(), **match)
        expected = {
            row for row in expected if any(row[columns.split(", ").index(k)] != v for k, v in match.items())
        }
        assert await rows() == expected, match
    assert expected == {(other, "draft", world.other_project_id)}
