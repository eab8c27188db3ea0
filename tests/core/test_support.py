"""Helpers shared by the core tests (this module holds no tests itself).

It is named ``test_*.py`` only so it lives beside the tests it serves; ``tests/conftest.py`` stays the
one place for fixtures.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import select

from comstack_core import Core, Principal
from comstack_core.auth import SCOPE_READ
from comstack_core.errors import DomainError
from comstack_core.models import AuditEntry, Page, PageRevision, Project
from comstack_core.schemas import KeyCreate, PageCreate, PlanUpdate
from comstack_core.services.page_store import search_index

from ..conftest import World

LONG_DESCRIPTION = "A description long enough for a custom page: it explains the page in detail."


def read_only(principal: Principal) -> Principal:
    """The same caller holding only the read scope (an OAuth token granted ``comstack:read``)."""
    return dataclasses.replace(principal, scopes=frozenset({SCOPE_READ}))


async def key_principal(core: Core, manager: Principal, project_id: str, role: str = "editor") -> Principal:
    """A Principal exactly as the REST/MCP doors get it: create a key, then authenticate its raw value."""
    created = await core.keys.create_key(manager, project_id, KeyCreate(name=f"{role} key", role=role))  # type: ignore[arg-type]
    return await core.keys.authenticate(created.key, project_id, door="rest")


async def every_caller(world: World) -> dict[str, Principal]:
    """One caller of each kind the access rules tell apart, for tests that hold two paths to the same
    answers: members by role, an outsider, a platform admin, the system, read-only scopes, keys of this
    project and of another, and a user who no longer exists."""
    pid = world.project_id
    editor_key = await key_principal(world.core, world.manager, pid, role="editor")
    return {
        "manager": world.manager,
        "editor": world.editor,
        "viewer": world.viewer,
        "outsider": world.outsider,
        "platform admin": world.admin,
        "system": Principal.system(door="script"),
        "read-only editor": read_only(world.editor),
        "viewer key": await key_principal(world.core, world.manager, pid, role="viewer"),
        "editor key": editor_key,
        "manager key": await key_principal(world.core, world.manager, pid, role="manager"),
        "read-only editor key": read_only(editor_key),
        "other project's key": await key_principal(
            world.core, world.outsider, world.other_project_id, role="manager"
        ),
        "unknown user": dataclasses.replace(world.viewer, user_id="usr_missing"),
    }


async def raise_quotas(world: World, **quotas: int) -> None:
    values = {"max_pages": 1000, "max_members": 100, "max_keys": 100, "max_locales": 10, **quotas}
    await world.core.plans.update_plan(world.admin, world.project_id, PlanUpdate(quotas=values))


async def create_page(world: World, slug: str, *, who: Principal | None = None, **fields: Any) -> Any:
    data = {"title": f"Page {slug}", "content": f"Body of {slug}", **fields}
    saved = await world.core.editing.create_page(
        who or world.editor, world.project_id, PageCreate(slug=slug, **data)
    )
    return saved.page


async def make_live(core: Core, path: str) -> None:
    """Stand-in for publishing (the tests here do not go through publish/publish-confirm): promote the page's
    draft to live directly in the database, setting what the publish job's promote step sets
    (live_revision_id, live_hash, on_site, the revision marked published, the draft cleared, version + 1)
    and refreshing the search index the same way."""
    async with core.db.write() as session:
        page = await session.get_one(Page, path)
        rev = await session.get_one(PageRevision, page.draft_revision_id)
        rev.published = True
        page.live_revision_id, page.live_hash = rev.id, rev.content_hash
        page.draft_revision_id, page.draft_approved = None, False
        page.on_site, page.unpublished, page.status = True, False, "live"
        page.version += 1
        session.add(rev)
        session.add(page)
        await session.flush()
        await search_index.reindex(session, page)


_COUNTS = " UNION ALL ".join(
    f"SELECT '{name}', count(*) FROM {sql}"
    for name, sql in (
        ("pages", "pages WHERE project_id = :p"),
        ("revisions", "page_revisions r JOIN pages g ON g.id = r.page_id WHERE g.project_id = :p"),
        ("keys", "api_keys WHERE project_id = :p"),
        ("revoked_keys", "api_keys WHERE project_id = :p AND revoked_at IS NOT NULL"),
        ("domains", "domains WHERE project_id = :p"),
        ("search", "page_search WHERE project_id = :p"),
        ("captures", "captures WHERE project_id = :p"),
        ("images", "images WHERE project_id = :p"),
        # Refused custom-page uploads add an audit row with an error code on purpose; nothing else may.
        ("audit", "audit_log WHERE project_id = :p AND error_code IS NULL"),
    )
)


async def snapshot(core: Core, project_id: str) -> dict[str, Any]:
    """Everything a refused call must leave untouched: row counts, page and member rows, navigation
    and the project row itself."""
    async with core.db.read() as session:

        def rows(sql: str) -> Any:
            return session.exec(text(sql).bindparams(p=project_id))  # type: ignore[call-overload]

        out: dict[str, Any] = {name: n for name, n in await rows(_COUNTS)}
        out["page_rows"] = sorted(
            tuple(r)
            for r in await rows(
                "SELECT id, version, status, draft_revision_id, draft_approved, live_revision_id, unpublished,"
                " audience"
                " FROM pages WHERE project_id = :p"
            )
        )
        out["members"] = sorted(
            tuple(r) for r in await rows("SELECT user_id, role FROM members WHERE project_id = :p")
        )
        out["nav"] = sorted(
            tuple(str(c) for c in r)
            for r in await rows(
                "SELECT id, position, icon, title FROM sidebar_groups WHERE project_id = :p UNION ALL "
                "SELECT id, position, target, label FROM header_nav_items WHERE project_id = :p"
            )
        )
        project = await session.get(Project, project_id)
        out["project"] = project.model_dump() if project else None
        return out


async def audit_rows(core: Core, project_id: str | None = None, **where: Any) -> list[AuditEntry]:
    async with core.db.read() as session:
        statement = select(AuditEntry).order_by(AuditEntry.created_at, AuditEntry.id)
        if project_id is not None:
            statement = statement.where(AuditEntry.project_id == project_id)
        for name, value in where.items():
            statement = statement.where(getattr(AuditEntry, name) == value)
        return list(await session.exec(statement))


async def search_rows(core: Core, page_id: str) -> list[tuple[str, str]]:
    async with core.db.read() as session:
        rows = await session.exec(
            text("SELECT variant, audience FROM page_search WHERE page_id = :p ORDER BY variant").bindparams(
                p=page_id
            )
        )  # type: ignore[call-overload]
        return [tuple(r) for r in rows]


async def expect(error: type[DomainError], code: str, call: Any) -> DomainError:
    """Await ``call`` and require exactly this error class and machine code."""
    with pytest.raises(error) as info:
        await call
    assert info.value.code == code, f"expected code {code!r}, got {info.value.code!r}: {info.value.message}"
    return info.value


@asynccontextmanager
async def loop_gaps() -> AsyncIterator[list[float]]:
    """The gaps between the turns of a 5 ms ticker on the event loop while the block runs: a call that
    holds the loop shows as a gap as long as it."""
    loop = asyncio.get_running_loop()
    gaps: list[float] = []

    async def tick() -> None:
        last = loop.time()
        while True:
            await asyncio.sleep(0.005)
            gaps.append(loop.time() - last)
            last = loop.time()

    ticking = asyncio.create_task(tick())
    try:
        yield gaps
    finally:
        ticking.cancel()
