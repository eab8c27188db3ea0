"""The two ways to store a save agree: the plain statements behind update-page and save-draft
(``page_save.save_page``) and the ORM session path (``project_access`` + ``save_existing_page``, which
ingestion still takes). Two pages made alike take the same saves, one through each path, and must end with
the same rows — page, revisions, audit entries, search rows, stored byte for byte — and give the same
answers and the same refusals, on both databases."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text, update
from sqlmodel import col

from comstack_core import Principal
from comstack_core.errors import DomainError
from comstack_core.models import Page
from comstack_core.schemas import PageRef
from comstack_core.services.access import project_access
from comstack_core.services.editing import EditService, save_existing_page
from comstack_core.services.page_save import save_page
from comstack_core.services.page_store.search_index import scope_token
from comstack_core.usecases import rule_of, running

from ..conftest import FakeClock, World
from .test_support import create_page, key_principal, make_live, read_only, search_rows

Save = Callable[[World, Principal, str, PageRef, int, dict[str, Any]], Awaitable[Any]]
RULE = rule_of(EditService.update_page)


async def _direct(
    world: World, principal: Principal, project_id: str, ref: PageRef, version: int, changes: dict[str, Any]
) -> Any:
    return await save_page(world.core.ctx, principal, project_id, ref, version, changes)


async def _session(
    world: World, principal: Principal, project_id: str, ref: PageRef, version: int, changes: dict[str, Any]
) -> Any:
    """The save as it was written before the plain statements: one session, the ORM's unit of work."""
    now = world.core.ctx.clock()
    async with world.core.db.write(short=True) as session:
        access = await project_access(session, principal, project_id, now=now)
        return await save_existing_page(
            session, world.core.ctx, principal, access.project, ref, version, changes
        )


async def _outcome(save: Save, *args: Any) -> Any:
    """What the use case answers (its decorator's credential check first, as ``@use_case`` runs it)."""
    with running(RULE):
        try:
            RULE.check_credential(args[1])
            return ("saved", (await save(*args)).model_dump(mode="json"))
        except DomainError as error:
            return ("refused", type(error).__name__, error.to_dict())


async def _rows(world: World, page_id: str) -> dict[str, Any]:
    """Everything a save writes about a page, as stored (no type conversion on the way out)."""
    postgres = not world.core.db.is_sqlite
    search_extra = "CAST(tsv AS TEXT)" if postgres else "scope"
    async with world.core.db.read() as session:
        conn = await session.connection()

        async def rows(sql: str) -> list[dict[str, Any]]:
            result = await conn.execute(text(sql), {"p": page_id})
            return [dict(row) for row in result.mappings()]

        audit = [row for row in await rows("SELECT * FROM audit_log") if page_id in str(row["target_ids"])]
        return {
            "page": await rows("SELECT * FROM pages WHERE id = :p"),
            "revisions": await rows("SELECT * FROM page_revisions WHERE page_id = :p ORDER BY number"),
            "audit": [{k: v for k, v in row.items() if k != "id"} for row in audit],
            "search": await rows(
                "SELECT page_id, variant, project_id, language, audience, template, title, description,"
                f" content, meta, {search_extra} AS extra FROM page_search WHERE page_id = :p ORDER BY variant"
            ),
        }


def _normalized(value: Any, page_id: str, slug: str, revisions: list[dict[str, Any]]) -> str:
    """``value`` as text with what differs between the two pages by construction (their ids, slugs and
    random revision ids) replaced by placeholders."""
    blob = json.dumps(value, default=str, sort_keys=True)
    for rev in revisions:
        blob = blob.replace(rev["id"], f"<revision {rev['number']}>")
    return (
        blob.replace(page_id, "<page>")
        .replace(scope_token("page_id", page_id), "<page token>")
        .replace(slug, "<slug>")
    )


class Pair:
    """Two pages made alike; each step saves one through the plain statements, the other through the session."""

    def __init__(self, world: World, pages: dict[str, Any]) -> None:
        self.world = world
        self.pages = pages  # slug -> page view
        self.versions = {slug: page.version for slug, page in pages.items()}

    async def step(
        self,
        changes: dict[str, Any],
        *,
        who: Principal | None = None,
        project_id: str | None = None,
        ref: Callable[[Any], PageRef] = lambda page: PageRef(path=page.path),
        version: Callable[[int], int] = lambda current: current,
    ) -> Any:
        outcomes, states = [], []
        for save, (slug, page) in zip((_direct, _session), self.pages.items(), strict=True):
            args = (
                self.world,
                who or self.world.editor,
                project_id or self.world.project_id,
                ref(page),
                version(self.versions[slug]),
                changes,
            )
            outcome = await _outcome(save, *args)
            if outcome[0] == "saved":
                self.versions[slug] = outcome[1]["page"]["version"]
            rows = await _rows(self.world, page.path)
            outcomes.append(_normalized(outcome, page.path, slug, rows["revisions"]))
            # Entries made within one clock tick have no order of their own: compare them as a set.
            audit = sorted(
                _normalized(entry, page.path, slug, rows["revisions"]) for entry in rows.pop("audit")
            )
            states.append(_normalized({**rows, "audit": audit}, page.path, slug, rows["revisions"]))
        assert outcomes[0] == outcomes[1], f"different answers to {changes}"
        assert states[0] == states[1], f"different rows after {changes}"
        return json.loads(outcomes[0])

    async def live(self) -> None:
        for slug, page in self.pages.items():
            await make_live(self.world.core, page.path)
            self.versions[slug] += 1


async def _pair(world: World, name: str) -> Pair:
    pages = {}
    for slug in (f"a/{name}", f"b/{name}"):
        pages[slug] = await create_page(world, slug, title="A page saved twice", content="First words.")
    return Pair(world, pages)


async def test_saves_store_the_same_rows_either_way(world: World, clock: FakeClock) -> None:
    pair = await _pair(world, "guide")
    assert (await pair.step({"content": "Second words."}))[0] == "saved"
    clock.advance(minutes=1)
    await pair.step({"title": "A retitled page", "description": "Now with a description that says more."})
    await pair.step({"metadata": {"keywords": ["alpha", "beta"], "updated": "2026-01-02", "free": {"a": 1}}})
    await pair.step({"metadata": {"free": None, "keywords": ["gamma"]}})  # null removes a key, the rest merge
    unchanged = await pair.step({"content": "Second words."})
    assert unchanged[1]["changed"] is False
    clock.advance(seconds=5)
    await pair.step({"publish_at": datetime(2027, 1, 1, 9, 30, tzinfo=UTC)})
    await pair.step({"publish_at": datetime(2027, 1, 1, 9, 30, tzinfo=UTC)})  # the same date: no change
    await pair.step({"audience": "internal", "content": "Only for us."})  # every search row rewritten
    await pair.step({"audience": "internal"})
    # Published, then edited: the draft starts from the live revision and both search rows remain.
    await pair.live()
    clock.advance(hours=1)
    await pair.step({"content": "A draft over the live page."})
    await pair.step({"audience": "public"})
    for page in pair.pages.values():  # the live row follows the page's audience too, on both paths
        assert await search_rows(world.core, page.path) == [("draft", "public"), ("live", "public")]
    await pair.step({"content": "By slug."}, ref=lambda page: PageRef(slug=page.slug))
    await pair.step(
        {"content": "By slug and locale."}, ref=lambda page: PageRef(slug=page.slug, language="EN")
    )
    # Keys and every role allowed to save.
    key = await key_principal(world.core, world.manager, world.project_id)
    await pair.step({"content": "Through a key."}, who=key)
    await pair.step({"content": "By the manager."}, who=world.manager)
    await pair.step({"content": "By a platform admin."}, who=world.admin)


async def test_refusals_are_the_same_either_way(world: World, clock: FakeClock) -> None:
    pair = await _pair(world, "refused")
    refusals = [
        await pair.step({"content": "Late."}, version=lambda current: current - 1),
        await pair.step({"content": "Early."}, version=lambda current: current + 1),
        await pair.step({"metadata": {"keywords": "not a list", "updated": 5}}),
        await pair.step({"content": "Nope."}, who=world.viewer),
        await pair.step({"content": "Nope."}, who=world.outsider),
        await pair.step({"content": "Nope."}, project_id=world.other_project_id),
        await pair.step({"content": "Nope."}, project_id="prj_missing"),
        await pair.step({"content": "Nope."}, ref=lambda page: PageRef(path="pg_missing")),
        await pair.step({"content": "Nope."}, ref=lambda page: PageRef(slug="Not A Slug!")),
        await pair.step({"content": "Nope."}, ref=lambda page: PageRef(slug=page.slug, language="de")),
        await pair.step({"content": "Nope."}, ref=lambda page: PageRef(slug="missing/page")),
    ]
    key = await key_principal(world.core, world.manager, world.project_id)
    refusals.append(await pair.step({"content": "Nope."}, who=key, project_id=world.other_project_id))
    viewer_key = await key_principal(world.core, world.manager, world.project_id, role="viewer")
    refusals.append(await pair.step({"content": "Nope."}, who=viewer_key))
    # The viewer is refused before a malformed reference is even looked at, on both paths.
    refusals.append(
        await pair.step({"content": "Nope."}, who=world.viewer, ref=lambda page: PageRef(slug="Bad!"))
    )
    async with world.core.db.write() as session:
        for page in pair.pages.values():
            await session.exec(update(Page).where(col(Page.id) == page.path).values(page_type="custom"))
    refusals.append(await pair.step({"content": "Custom pages have their own tool."}))
    clock.advance(days=30)  # past the trial: changes are paused
    refusals.append(await pair.step({"content": "Too late for the trial."}))
    codes = [outcome[2]["code"] for outcome in refusals]
    assert codes == [
        "stale_version",
        "stale_version",
        "invalid_metadata",
        "role_too_low",
        "project_not_found",
        "project_not_found",
        "project_not_found",
        "page_not_found",
        "invalid_slug",
        "page_not_found",
        "page_not_found",
        "project_mismatch",
        "role_too_low",
        "role_too_low",
        "wrong_tool_knowledge_page",
        "trial_expired",
    ]
    refused = await _outcome(
        _direct, world, read_only(world.editor), world.project_id, PageRef(path="x"), 1, {}
    )
    assert refused[2]["code"] == "read_only_scope"
