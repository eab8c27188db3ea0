"""Promotion's set-based statements against the obvious implementation: two projects in the same state, one
promoted by ``promote_batch``, the other page by page as promotion used to do it (objects loaded, changed
and written back, each page indexed again). The pages, revisions, search rows and the record kept for undo
must come out the same, on both databases."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from comstack_core import Core, Principal
from comstack_core.models import Page, PageRevision
from comstack_core.publishing.batch_promotion import promote_batch
from comstack_core.publishing.manifest import is_due
from comstack_core.schemas import PageRef, PageStatusUpdate, PageUpdate, ProjectCreate
from comstack_core.services.page_store import search_index
from comstack_core.services.page_store.status import derive_status

from ...conftest import World
from .harness import add_ready_pages, publish_and_run


async def promote_one_by_one(
    session: AsyncSession, project_id: str, page_ids: list[str], now: datetime, *, skip: dict[str, Any]
) -> list[tuple[str, dict[str, Any]]]:
    """The row-at-a-time promotion the set-based one replaced, kept here as the reference."""
    pages = await session.exec(select(Page).where(Page.project_id == project_id, col(Page.id).in_(page_ids)))
    due = [page for page in pages if is_due(page, now) and page.id not in skip]
    wanted = [str(page.draft_revision_id) for page in due]
    revs = {rev.id: rev for rev in await session.exec(select(PageRevision).where(col(PageRevision.id).in_(wanted)))}
    done = []
    for page in due:
        rev = revs[str(page.draft_revision_id)]
        done.append(
            (
                page.id,
                {
                    "previous_live": page.live_revision_id,
                    "previous_hash": page.live_hash,
                    "previous_unpublished": page.unpublished,
                    "new_live": rev.id,
                },
            )
        )
        rev.published = True
        page.live_revision_id, page.live_hash = rev.id, rev.content_hash
        page.draft_revision_id, page.draft_approved, page.unpublished = None, False, False
        page.status = derive_status(page)
        page.version += 1
        session.add_all([rev, page])
    await session.flush()
    for page in due:
        await search_index.reindex(session, page)
    return done


FIRST = [
    ("guides/edited", "An edited page", "# Edited\n\nVersion one.\n"),
    ("guides/taken-down", "A taken-down page", "# Down\n\nVersion one.\n"),
    ("guides/unapproved", "An unapproved edit", "# Unapproved\n\nVersion one.\n"),
    ("guides/skipped", "Already promoted", "# Skipped\n\nVersion one.\n"),
]


async def edit(core: Core, who: Principal, pid: str, name: str, slug: str, content: str, ready: bool) -> None:
    page = await core.pages.get_page(who, pid, PageRef(slug=slug))
    await core.editing.update_page(
        who, pid, PageRef(slug=slug), PageUpdate(base_version=page.version, content=content)
    )
    if ready:
        await core.pages.set_page_status(
            who, pid, PageRef(slug=slug), PageStatusUpdate(status="ready", project_name=name)
        )


async def scenario(world: World, name: str, now: datetime) -> str:
    """A project with pages in every state promotion meets: new, edited, taken down and edited, an edit not
    approved, one scheduled later, an internal one, one with metadata, one the job already promoted."""
    core, manager = world.core, world.manager
    pid = (await core.projects.create_project(manager, ProjectCreate(name=name))).id
    await add_ready_pages(core, manager, pid, name, FIRST)
    assert (await publish_and_run(core, manager, pid, name)).status == "succeeded"
    await core.pages.set_page_status(
        manager,
        pid,
        PageRef(slug="guides/taken-down"),
        PageStatusUpdate(status="unpublished", project_name=name),
    )
    for slug, ready in (("guides/edited", True), ("guides/taken-down", True), ("guides/unapproved", False)):
        await edit(core, manager, pid, name, slug, f"# {slug}\n\nVersion two.\n", ready)
    await edit(core, manager, pid, name, "guides/skipped", "# Skipped\n\nVersion two.\n", True)
    await add_ready_pages(core, manager, pid, name, [("guides/new", "A new page", "# New\n\nFresh.\n")])
    await add_ready_pages(
        core,
        manager,
        pid,
        name,
        [("guides/later", "A later page", "Later.\n")],
        publish_at=now + timedelta(days=1),
    )
    await add_ready_pages(
        core, manager, pid, name, [("guides/internal", "Staff only", "Inside.\n")], audience="internal"
    )
    await add_ready_pages(
        core,
        manager,
        pid,
        name,
        [("guides/meta", "With metadata", "Meta.\n")],
        metadata={"owner": "docs", "n": 3},
    )
    return pid


def scope_words(scope: str) -> str:
    """The scope's tokens without the first two, which name the page and project ids (they differ)."""
    return " ".join(scope.split()[2:])


def tsv_words(tsv: str) -> list[tuple[str, str]]:
    """A tsvector's lexemes with their weights, without positions. PostgreSQL gives back a JSON object's keys
    in its own order, so a row indexed from a saved revision lists the metadata in another order than the
    row indexed as the draft was saved: the same words, at other positions (that is also why ``meta`` is
    compared as a set of lines)."""
    return sorted(
        (word, "".join(sorted(place.lstrip("0123456789") or "D" for place in places.split(","))))
        for word, places in re.findall(r"'((?:[^']|'')*)':([0-9A-D,]+)", tsv)
    )


async def state(core: Core, pid: str, promoted: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """The project's pages, revisions, search rows and undo record, with ids replaced by (slug, revision
    number) so two projects can be compared."""
    async with core.db.read() as session:
        pages = {p.id: p for p in await session.exec(select(Page).where(Page.project_id == pid))}
        revs = {
            r.id: r
            for r in await session.exec(select(PageRevision).where(col(PageRevision.page_id).in_(pages)))
        }
        postgres = session.get_bind().dialect.name == "postgresql"
        extra = "CAST(tsv AS TEXT)" if postgres else "scope"
        rows = (
            await session.exec(  # type: ignore[call-overload]
                text(
                    "SELECT page_id, variant, language, audience, template, title, description, content, meta,"
                    f" {extra} FROM page_search WHERE project_id = :pid"
                ).bindparams(pid=pid)
            )
        ).all()

    def rev(rid: str | None) -> tuple[str, int] | None:
        return None if rid is None else (pages[revs[rid].page_id].slug, revs[rid].number)

    def slug(page_id: str) -> str:
        return pages[page_id].slug

    return {
        "pages": {
            p.slug: (
                p.status,
                p.version,
                rev(p.live_revision_id),
                p.live_hash,
                rev(p.draft_revision_id),
                p.draft_approved,
                p.unpublished,
                p.on_site,
            )
            for p in pages.values()
        },
        "published": {rev(r.id): r.published for r in revs.values()},
        "search": sorted(
            (
                slug(r[0]),
                *r[1:8],
                sorted(r[8].split("\n")),
                tsv_words(r[9]) if postgres else scope_words(r[9]),
            )
            for r in rows
        ),
        "promoted": {
            slug(page_id): {
                k: v if k == "previous_hash" or isinstance(v, bool) else rev(v) for k, v in rec.items()
            }
            for page_id, rec in promoted
        },
    }


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
@pytest.mark.parametrize("lost_search_row", [False, True])
async def test_set_based_promotion_equals_the_row_at_a_time_one(world: World, lost_search_row: bool) -> None:
    core = world.core
    now = core.ctx.clock()
    projects = [await scenario(world, name, now) for name in ("Alpha Docs", "Beta Docs")]
    results = []
    for pid, promote in zip(projects, (promote_batch, promote_one_by_one), strict=True):
        async with core.db.write() as session:
            ids = list(await session.exec(select(Page.id).where(Page.project_id == pid)))
            by_slug = {p.slug: p.id for p in await session.exec(select(Page).where(Page.project_id == pid))}
            if lost_search_row:  # the safeguard: a draft whose search row went missing is indexed in full
                await search_index.remove(session, by_slug["guides/new"])
            skip = {by_slug["guides/skipped"]: {"new_live": "recorded by an earlier batch"}}
            results.append(await promote(session, pid, ids, now, skip=skip))
    alpha, beta = [await state(core, pid, done) for pid, done in zip(projects, results, strict=True)]
    assert alpha == beta
    # And the scenario means something: the due pages went live, the others did not.
    assert sorted(alpha["promoted"]) == [
        "guides/edited",
        "guides/internal",
        "guides/meta",
        "guides/new",
        "guides/taken-down",
    ]
    assert alpha["pages"]["guides/taken-down"][:2] == ("live", alpha["pages"]["guides/taken-down"][1])
    assert alpha["promoted"]["guides/taken-down"]["previous_unpublished"] is True
    assert alpha["pages"]["guides/unapproved"][0] == "draft"
    assert alpha["pages"]["guides/later"][0] == "ready"
    assert alpha["pages"]["guides/skipped"][0] == "ready"
    live_rows = {(row[0], row[1]) for row in alpha["search"]}
    assert ("guides/new", "live") in live_rows and ("guides/new", "draft") not in live_rows
    assert ("guides/edited", "live") in live_rows and ("guides/edited", "draft") not in live_rows
