"""The confirmation token's rules over REST: single use (also under concurrency), 5-minute TTL on an injected
clock, bound to the manifest and to the project; nothing due means no token; the name echo."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest
from sqlmodel import select

from comstack_core import Core
from comstack_core.errors import Conflict
from comstack_core.models import Publish, PublishToken
from comstack_core.publishing.tokens import describe_duration
from comstack_core.schemas import (
    KeyCreate,
    PageCreate,
    PageRef,
    PageStatusUpdate,
    PageUpdate,
    PublishConfirm,
    PublishRequest,
)

from .conftest import Pub, wait_published
from .harness import add_ready_pages, served_dir

PAGES = [
    ("guides/intro", "Getting started", "# Intro\n\nHello.\n"),
    ("guides/setup", "Setting things up", "# Setup\n\nSee [intro](/guides/intro).\n"),
]


async def dry_run(client: httpx.AsyncClient, pub: Pub) -> str:
    response = await client.post(pub.url("/publish"), headers=pub.headers, json={"project_name": pub.name})
    assert response.status_code == 200, response.text
    return str(response.json()["confirmation_token"])


async def confirm(client: httpx.AsyncClient, pub: Pub, token: str, name: str | None = None) -> httpx.Response:
    return await client.post(
        pub.url("/publish/confirm"),
        headers=pub.headers,
        json={"project_name": name or pub.name, "confirmation_token": token},
    )


async def publishes(core: Core) -> list[Publish]:
    async with core.db.read() as session:
        return list(await session.exec(select(Publish)))


@pytest.fixture
async def due(pub: Pub) -> Pub:
    await add_ready_pages(pub.core, pub.world.editor, pub.project_id, pub.name, PAGES)
    return pub


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_token_is_single_use(client: httpx.AsyncClient, due: Pub) -> None:
    token = await dry_run(client, due)
    first = await confirm(client, due, token)
    assert first.status_code == 202, first.text
    assert (await wait_published(client, due.project_id, due.headers, first.json()["publish_id"]))[
        "status"
    ] == ("succeeded")
    again = await confirm(client, due, token)
    assert again.status_code == 409 and again.json()["code"] == "token_used"


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_two_concurrent_confirms_exactly_one_wins(client: httpx.AsyncClient, due: Pub) -> None:
    token = await dry_run(client, due)
    results = await asyncio.gather(*(confirm(client, due, token) for _ in range(2)))
    codes = sorted(r.status_code for r in results)
    assert codes == [202, 409], [r.text for r in results]
    loser = next(r for r in results if r.status_code == 409)
    assert loser.json()["code"] == "token_used"
    assert len(await publishes(due.core)) == 1


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_concurrent_confirms_from_two_processes_worth_of_cores(due: Pub) -> None:
    """Two Cores (two engines and pools, as two workers would have) race one token: one publish."""
    core = due.core
    token = await core.publishing.publish(
        due.world.manager, due.project_id, PublishRequest(project_name=due.name)
    )
    data = PublishConfirm(project_name=due.name, confirmation_token=token.confirmation_token)
    async with Core.open(core.settings, clock=due.clock) as other:
        outcomes = await asyncio.gather(
            core.publishing.publish_confirm(due.world.manager, due.project_id, data),
            other.publishing.publish_confirm(due.world.manager, due.project_id, data),
            return_exceptions=True,
        )
    won = [o for o in outcomes if not isinstance(o, BaseException)]
    lost = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert isinstance(lost[0], Conflict) and lost[0].code == "token_used"
    assert [p.id for p in await publishes(core)] == [won[0].publish_id]


async def test_token_expires_after_five_minutes_of_injected_time(client: httpx.AsyncClient, due: Pub) -> None:
    stale = await dry_run(client, due)
    due.clock.advance(seconds=due.core.settings.publish_token_ttl_seconds + 1)
    expired = await confirm(client, due, stale)
    assert expired.status_code == 409 and expired.json()["code"] == "token_expired"

    fresh = await dry_run(client, due)
    due.clock.advance(seconds=due.core.settings.publish_token_ttl_seconds - 1)
    ok = await confirm(client, due, fresh)
    assert ok.status_code == 202, ok.text


async def test_a_dry_run_longer_than_the_lifetime_gives_a_usable_token(client: httpx.AsyncClient, due: Pub) -> None:
    """The lifetime runs from when the token is issued: checking a large site can take minutes."""
    check = due.core.publishing.check_plan
    assert check is not None

    async def slow_check(*args: object) -> list[str]:
        due.clock.advance(seconds=due.core.settings.publish_token_ttl_seconds + 60)
        return await check(*args)  # type: ignore[arg-type]

    due.core.publishing.check_plan = slow_check
    try:
        token = await dry_run(client, due)
    finally:
        due.core.publishing.check_plan = check
    ok = await confirm(client, due, token)
    assert ok.status_code == 202, ok.text


async def test_expiry_message_names_the_configured_lifetime(client: httpx.AsyncClient, due: Pub) -> None:
    due.core.settings.publish_token_ttl_seconds = 90
    stale = await dry_run(client, due)
    due.clock.advance(seconds=91)
    expired = await confirm(client, due, stale)
    assert expired.status_code == 409 and expired.json()["code"] == "token_expired"
    assert "tokens last 90 seconds" in expired.json()["error"], expired.json()


@pytest.mark.parametrize(
    ("seconds", "said"),
    [(300, "5 minutes"), (60, "1 minute"), (90, "90 seconds"), (7200, "2 hours"), (1, "1 second")],
)
def test_durations_read_as_a_person_says_them(seconds: int, said: str) -> None:
    assert describe_duration(timedelta(seconds=seconds)) == said


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_drift_between_dry_run_and_confirm_is_refused(client: httpx.AsyncClient, due: Pub) -> None:
    token = await dry_run(client, due)
    # Someone else edits and approves another page in between.
    await add_ready_pages(
        due.core, due.world.editor, due.project_id, due.name, [("faq/refunds", "Refunds", "No.")]
    )
    drifted = await confirm(client, due, token)
    assert drifted.status_code == 409 and drifted.json()["code"] == "manifest_drift"
    assert "now also changes" in drifted.json()["error"]

    # A content edit of a page already in the manifest is drift too.
    token = await dry_run(client, due)
    page = await due.core.pages.get_page(due.world.editor, due.project_id, PageRef(slug="guides/intro"))
    await due.core.editing.update_page(
        due.world.editor,
        due.project_id,
        PageRef(slug="guides/intro"),
        PageUpdate(base_version=page.version, content="# Intro\n\nChanged after the dry run.\n"),
    )
    await due.core.pages.set_page_status(
        due.world.editor,
        due.project_id,
        PageRef(slug="guides/intro"),
        PageStatusUpdate(status="ready", project_name=due.name),
    )
    drifted = await confirm(client, due, token)
    assert drifted.status_code == 409 and drifted.json()["code"] == "manifest_drift"
    assert await publishes(due.core) == []

    ok = await confirm(client, due, await dry_run(client, due))
    assert ok.status_code == 202


async def test_token_of_one_project_is_refused_on_another(client: httpx.AsyncClient, due: Pub) -> None:
    world = due.world
    other_key = await due.core.keys.create_key(
        world.outsider, world.other_project_id, KeyCreate(name="other", role="manager")
    )
    await add_ready_pages(
        due.core, world.outsider, world.other_project_id, "Other Co", [("a/b", "Other page", "x")]
    )
    token = await dry_run(client, due)
    crossed = await client.post(
        f"/api/projects/{world.other_project_id}/publish/confirm",
        headers={"x-api-key": other_key.key, "x-project-id": world.other_project_id},
        json={"project_name": "Other Co", "confirmation_token": token},
    )
    assert crossed.status_code == 400 and crossed.json()["code"] == "invalid_token"
    # Project A's key cannot even name project B.
    foreign = await client.post(
        f"/api/projects/{world.other_project_id}/publish/confirm",
        headers=due.headers,
        json={"project_name": "Other Co", "confirmation_token": token},
    )
    assert foreign.status_code == 403
    # The token was not spent by those attempts.
    assert (await confirm(client, due, token)).status_code == 202


async def test_nothing_due_gives_no_token(client: httpx.AsyncClient, pub: Pub) -> None:
    nothing = await client.post(pub.url("/publish"), headers=pub.headers, json={"project_name": pub.name})
    assert nothing.status_code == 409 and nothing.json()["code"] == "nothing_to_publish"
    async with pub.core.db.read() as session:
        assert list(await session.exec(select(PublishToken))) == []
    # A draft that is not approved is not due either.
    await pub.core.editing.create_page(
        pub.world.editor, pub.project_id, PageCreate(slug="draft/only", title="Not approved yet")
    )
    still = await client.post(pub.url("/publish"), headers=pub.headers, json={"project_name": pub.name})
    assert still.status_code == 409 and still.json()["code"] == "nothing_to_publish"


async def test_name_echo_and_roles(client: httpx.AsyncClient, due: Pub) -> None:
    wrong = await client.post(due.url("/publish"), headers=due.headers, json={"project_name": "Acme Doc"})
    assert wrong.status_code == 400 and wrong.json()["code"] == "project_name_mismatch"
    missing = await client.post(due.url("/publish"), headers=due.headers, json={})
    assert missing.status_code == 400
    token = await dry_run(client, due)
    refused = await confirm(client, due, token, name="Other Co")
    assert refused.status_code == 400 and refused.json()["code"] == "project_name_mismatch"
    editor_key = await due.core.keys.create_key(
        due.world.manager, due.project_id, KeyCreate(name="ed", role="editor")
    )
    as_editor = await client.post(
        due.url("/publish/confirm"),
        headers={"x-api-key": editor_key.key, "x-project-id": due.project_id},
        json={"project_name": due.name, "confirmation_token": token},
    )
    assert as_editor.status_code == 403
    # None of the refusals spent the token.
    assert (await confirm(client, due, token, name=due.name.upper())).status_code == 202


async def test_one_publish_at_a_time(due: Pub) -> None:
    core, manager = due.core, due.world.manager
    request = PublishRequest(project_name=due.name)
    first = await core.publishing.publish(manager, due.project_id, request)
    second = await core.publishing.publish(manager, due.project_id, request)
    await core.publishing.publish_confirm(
        manager,
        due.project_id,
        PublishConfirm(project_name=due.name, confirmation_token=first.confirmation_token),
    )
    with pytest.raises(Conflict) as running:
        await core.publishing.publish_confirm(
            manager,
            due.project_id,
            PublishConfirm(project_name=due.name, confirmation_token=second.confirmation_token),
        )
    assert running.value.code == "publish_running"


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_the_token_and_the_publish_keep_the_pages_the_caller_was_shown(
    client: httpx.AsyncClient, due: Pub
) -> None:
    # Both rows are written from JSON text rather than from dicts. What they keep of the manifest the dry run
    # answered is each page's path and change: what a drift is described by and what promotion makes live
    # (the whole manifest ran to 19 MB at 50,000 pages). The publish keeps the site URL it was shown.
    await add_ready_pages(
        due.core, due.world.editor, due.project_id, due.name, [("faq/cafe", "Café – Überblick “quoted” 日本", "Hé.")]
    )
    response = await client.post(due.url("/publish"), headers=due.headers, json={"project_name": due.name})
    assert response.status_code == 200, response.text
    shown = response.json()["manifest"]
    assert any(p["title"] == "Café – Überblick “quoted” 日本" for p in shown["pages"])
    async with due.core.db.read() as session:
        stored = (await session.exec(select(PublishToken.manifest))).one()
    assert stored == {"pages": [{"path": p["path"], "change_type": p["change_type"]} for p in shown["pages"]]}
    started = await confirm(client, due, response.json()["confirmation_token"])
    assert started.status_code == 202, started.text
    status = await wait_published(client, due.project_id, due.headers, started.json()["publish_id"])
    assert status["status"] == "succeeded" and status["site_url"] == shown["target_site_url"]
    (publish,) = await publishes(due.core)
    assert publish.manifest == stored and publish.site_url == shown["target_site_url"]
    assert "Hé." in (served_dir(due.core, due.project_id) / "faq" / "cafe" / "index.html").read_text()
