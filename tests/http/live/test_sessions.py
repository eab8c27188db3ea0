"""Live voice sessions over REST: who may start one, what it returns, its token, resume and the voice
tools, transcripts and the other project."""

from __future__ import annotations

import asyncio

from comstack_core import Principal
from comstack_core.auth import hash_secret
from comstack_core.models import LiveSession
from comstack_core.schemas import ModuleUpdate, PlanUpdate

from ...conftest import FakeClock
from .conftest import Voice


async def test_a_member_starts_a_session_with_token_greeting_and_tool_declarations(voice: Voice) -> None:
    response = await voice.start("viewer", language="en")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["session_id"].startswith("lvs_") and body["token"].startswith("lvt_")
    assert "Corner Bakery" in body["greeting"] and body["language"] == "en" and body["channel"] == "web"
    assert "search_knowledge" in body["instructions"]
    assert [t["name"] for t in body["tools"]] == ["search_knowledge", "get_page", "transfer_call"]
    search = body["tools"][0]
    assert search["parameters"]["required"] == ["query"] and search["description"]
    assert body["provider"] == {"name": "embedded", "connect_token": None, "expires_at": None}
    async with voice.core.db.read() as session:
        row = await session.get(LiveSession, body["session_id"])
    assert row is not None and row.token_hash == hash_secret(body["token"])  # stored hashed, never raw
    assert body["token"] not in str(row.model_dump())


async def test_an_api_key_of_the_project_starts_one_too(voice: Voice) -> None:
    response = await voice.start(await voice.key("viewer"))
    assert response.status_code == 200, response.text


async def test_refusals_say_which_of_module_provisioning_and_membership_is_missing(voice: Voice) -> None:
    missing = await voice.rest.client.post(
        "/api/live/session", headers={"authorization": "Bearer viewer-token"}
    )
    assert missing.status_code == 400 and missing.json()["code"] == "missing_project_id"

    outsider = await voice.start("outsider")
    assert outsider.status_code == 403 and outsider.json()["code"] == "not_a_member"
    assert "not a member" in outsider.json()["error"]

    # A sign-in an embedding token verifier accepts, for a user ComStack never created.
    voice.rest.client._transport.app.state.runtime.token_verifier.principals["ghost-token"] = Principal(  # type: ignore[attr-defined]
        kind="user", user_id="usr_ghost", door="rest"
    )
    ghost = await voice.start("ghost")
    assert ghost.status_code == 403 and ghost.json()["code"] == "user_not_provisioned"

    other_key = await voice.key("manager", voice.other_project_id)
    mismatch = await voice.start({**other_key, "x-project-id": voice.project_id})
    assert mismatch.status_code == 403 and mismatch.json()["code"] == "project_mismatch"

    await voice.core.modules.configure_module(
        voice.world.manager, voice.project_id, "voice_web", ModuleUpdate(enabled=False)
    )
    off = await voice.start("viewer")
    assert off.status_code == 403 and off.json()["code"] == "module_disabled"
    assert "voice_web" in off.json()["error"]


async def test_tools_answer_from_live_public_pages_and_join_the_transcript(voice: Voice) -> None:
    started = (await voice.start("viewer")).json()
    answered = await voice.execute(started, "search_knowledge", query="When is the bakery open on Saturday?")
    assert answered.status_code == 200, answered.text
    result = answered.json()["result"]
    assert result["found"] is True and "7 am to 6 pm" in result["speech"]
    assert result["source"]["slug"] == "visit/opening-hours"
    assert "#" not in result["speech"] and "*" not in result["speech"]

    # The draft and the internal page exist, but a caller never hears them.
    for question in ("How is the sourdough starter fed?", "When does the night baker start the ovens?"):
        hidden = (await voice.execute(started, "search_knowledge", query=question)).json()["result"]
        assert hidden["found"] is False and "don't know" in hidden["speech"]
    page = (await voice.execute(started, "get_page", page="help/returns")).json()["result"]
    assert page["found"] is True and "2 days" in page["speech"]
    draft = (await voice.execute(started, "get_page", page="secret/recipe")).json()["result"]
    assert draft["found"] is False
    transfer = (await voice.execute(started, "transfer_call", reason="wants a person")).json()["result"]
    assert transfer["transferred"] is False

    bad = await voice.execute(started, "search_knowledge", q="typo")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_tool_arguments"
    unknown = await voice.execute(started, "order_cake")
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_tool"

    listing = await voice.rest.call("GET", voice.rest.p("/live/sessions", voice.project_id), "manager")
    assert listing.status_code == 200, listing.text
    summary = listing.json()["sessions"][0]
    assert summary["id"] == started["session_id"] and summary["channel"] == "web"
    assert (
        summary["actor_kind"] == "user"
        and summary["question_count"] == 3
        and summary["unanswered_count"] == 2
    )
    assert summary["tools_called"] == ["search_knowledge", "get_page", "transfer_call"]
    detail = await voice.rest.call(
        "GET", voice.rest.p(f"/live/sessions/{started['session_id']}", voice.project_id), "manager"
    )
    turns = detail.json()["turns"]
    assert [t["kind"] for t in turns] == ["greeting", "tool", "tool", "tool", "tool", "tool", "transfer"]
    assert turns[1]["heard"] == "When is the bakery open on Saturday?" and turns[1]["answered"] is True
    assert detail.json()["unanswered_questions"] == [
        "How is the sourdough starter fed?",
        "When does the night baker start the ovens?",
    ]


async def test_the_session_language_falls_back_to_the_default_locale(voice: Voice) -> None:
    started = (await voice.start("viewer", language="fr-CA")).json()
    assert started["language"] == "en"  # the project has no French
    result = (await voice.execute(started, "search_knowledge", query="delivery wedding cakes")).json()[
        "result"
    ]
    assert result["found"] is True and result["source"]["slug"] == "order/delivery"


async def test_the_token_works_for_its_session_only_and_for_30_minutes(
    voice: Voice, clock: FakeClock
) -> None:
    first = (await voice.start("viewer")).json()
    second = (await voice.start("viewer")).json()
    crossed = await voice.execute({**second, "token": first["token"]}, "search_knowledge", query="hours")
    assert crossed.status_code == 401 and crossed.json()["code"] == "invalid_session_token"

    # The token is no credential anywhere else.
    elsewhere = await voice.rest.client.get(
        voice.rest.p("/live/sessions", voice.project_id),
        headers={"authorization": f"Bearer {first['token']}"},
    )
    assert elsewhere.status_code == 401
    mcp = await voice.rest.client.post(
        "/mcp",
        headers={"authorization": f"Bearer {first['token']}"},
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
    )
    assert mcp.status_code == 401

    # Another project named beside the token is refused.
    other = await voice.rest.client.post(
        "/api/live/tools/execute",
        headers={"authorization": f"Bearer {first['token']}", "x-project-id": voice.other_project_id},
        json={"session_id": first["session_id"], "name": "search_knowledge", "arguments": {"query": "hours"}},
    )
    assert other.status_code == 403 and other.json()["code"] == "project_mismatch"

    clock.advance(minutes=29)
    resumed = await voice.rest.client.post(
        "/api/live/session/resume",
        headers={"authorization": f"Bearer {first['token']}"},
        json={"session_id": first["session_id"]},
    )
    assert resumed.status_code == 200, resumed.text
    assert (
        resumed.json()["session_id"] == first["session_id"]
        and resumed.json()["expires_at"] == first["expires_at"]
    )
    assert (await voice.execute(first, "search_knowledge", query="opening hours")).status_code == 200

    clock.advance(minutes=1, seconds=1)
    expired = await voice.execute(first, "search_knowledge", query="opening hours")
    assert expired.status_code == 401 and expired.json()["code"] == "session_expired"
    late = await voice.rest.client.post(
        "/api/live/session/resume",
        headers={"authorization": f"Bearer {first['token']}"},
        json={"session_id": first["session_id"]},
    )
    assert late.status_code == 401 and late.json()["code"] == "session_expired"
    no_token = await voice.rest.client.post(
        "/api/live/session/resume", json={"session_id": first["session_id"]}
    )
    assert no_token.status_code == 401 and no_token.json()["code"] == "invalid_session_token"


async def test_twenty_parallel_starts_against_a_quota_of_five_start_exactly_five(voice: Voice) -> None:
    await voice.core.plans.update_plan(
        Principal.system(), voice.project_id, PlanUpdate(quotas={"max_sessions_per_day": 5})
    )
    headers = await voice.key("viewer")
    responses = await asyncio.gather(*(voice.start(headers) for _ in range(20)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 5 + [429] * 15, [r.text for r in responses if r.status_code not in (200, 429)]
    refused = next(r for r in responses if r.status_code == 429)
    assert refused.json()["code"] == "voice_quota_exceeded" and int(refused.headers["retry-after"]) > 0
    async with voice.core.db.read() as session:
        from sqlmodel import func, select

        count = (await session.exec(select(func.count()).select_from(LiveSession))).one()
    assert count == 5
    # The quota is per caller: another user still has all five.
    assert (await voice.start("manager")).status_code == 200


async def test_transcripts_are_for_managers_of_the_project_only(voice: Voice) -> None:
    started = (await voice.start("viewer")).json()
    path = f"/live/sessions/{started['session_id']}"
    viewer = await voice.rest.call("GET", voice.rest.p("/live/sessions", voice.project_id), "viewer")
    assert viewer.status_code == 403 and viewer.json()["code"] == "role_too_low"
    outsider = await voice.rest.call("GET", voice.rest.p(path, voice.project_id), "outsider")
    assert outsider.status_code == 404
    # The outsider manages the other project, where this session does not exist.
    cross = await voice.rest.call("GET", voice.rest.p(path, voice.other_project_id), "outsider")
    assert cross.status_code == 404 and cross.json()["code"] == "voice_session_not_found"
    key = await voice.key("manager", voice.other_project_id)
    by_key = await voice.rest.client.get(voice.rest.p(path, voice.project_id), headers=key)
    assert by_key.status_code == 403 and by_key.json()["code"] == "project_mismatch"
