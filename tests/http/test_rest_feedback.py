"""POST /api/feedback and GET /api/feedback: status codes, error bodies, the cap's 429, the document."""

from __future__ import annotations

from dataclasses import replace

from comstack_core.auth import SCOPE_READ

from ..conftest import FakeClock
from .conftest import Rest, TokenPrincipals


def capped(rest: Rest, limit: int) -> None:
    rest.core.ctx.settings = rest.core.ctx.settings.model_copy(update={"feedback_per_day": limit})


async def test_report_and_list(rest: Rest, clock: FakeClock) -> None:
    sent = await rest.call("POST", "/api/feedback", "viewer", json={
        "kind": "missing", "message": "I would like scheduled publishing per locale.", "tool": "publish",
        "project_id": rest.world.project_id})
    assert sent.status_code == 201, sent.text
    receipt = sent.json()
    assert set(receipt) == {"id", "created_at", "thanks"} and receipt["id"].startswith("fb_")
    clock.advance(seconds=1)
    key = await rest.key("viewer")
    by_key = await rest.call("POST", "/api/feedback", key, json={"kind": "praise", "message": "Fast."})
    assert by_key.status_code == 201, by_key.text

    listed = await rest.call("GET", "/api/feedback", "admin")
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["total"] == 2
    newest, oldest = body["feedback"]
    assert (newest["kind"], newest["actor_kind"], newest["project_id"], newest["door"]) == (
        "praise", "key", rest.world.project_id, "rest")
    assert (oldest["id"], oldest["actor_email"], oldest["tool"]) == (receipt["id"], "viewer@example.com", "publish")
    page = await rest.call("GET", "/api/feedback?kind=praise&limit=1&offset=0", "admin")
    assert page.status_code == 200 and [f["kind"] for f in page.json()["feedback"]] == ["praise"]


async def test_only_platform_admins_read_feedback(rest: Rest) -> None:
    for who in ("manager", "viewer"):
        refused = await rest.call("GET", "/api/feedback", who)
        assert refused.status_code == 403 and refused.json()["code"] == "platform_admin_only"
    bad_query = await rest.call("GET", "/api/feedback?limit=0&colour=red", "admin")
    assert bad_query.status_code == 400 and bad_query.json()["code"] == "invalid_input"
    assert {p["field"] for p in bad_query.json()["problems"]} == {"limit", "colour"}
    anonymous = await rest.client.get("/api/feedback")
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "unauthenticated"


async def test_bad_reports_are_400_and_store_nothing(rest: Rest) -> None:
    cases = [
        ({"kind": "rant", "message": "x"}, {"kind"}),
        ({"kind": "bug", "message": "  "}, {"message"}),
        ({"kind": "bug", "message": "x" * 4001}, {"message"}),
        ({"kind": "bug", "message": "x", "tool": "a\nb"}, {"tool"}),
        ({"kind": "bug", "message": "x", "severity": "high"}, {"severity"}),
        ({"message": "x"}, {"kind"}),
    ]
    for body, fields in cases:
        response = await rest.call("POST", "/api/feedback", "editor", json=body)
        assert response.status_code == 400, (body, response.text)
        assert response.json()["code"] == "invalid_input"
        assert {p["field"] for p in response.json()["problems"]} == fields, body
    not_json = await rest.call("POST", "/api/feedback", "editor", content=b"{kind: bug}")
    assert not_json.status_code == 400 and not_json.json()["code"] == "invalid_json"
    assert (await rest.call("GET", "/api/feedback", "admin")).json()["total"] == 0


async def test_projects_must_be_visible(rest: Rest) -> None:
    hidden = await rest.call("POST", "/api/feedback", "outsider", json={
        "kind": "bug", "message": "x", "project_id": rest.world.project_id})
    assert hidden.status_code == 404 and hidden.json()["code"] == "project_not_found"
    key = await rest.key("manager")
    other = await rest.call("POST", "/api/feedback", key, json={
        "kind": "bug", "message": "x", "project_id": rest.world.other_project_id})
    assert other.status_code == 403 and other.json()["code"] == "project_mismatch"
    assert (await rest.call("GET", "/api/feedback", "admin")).json()["total"] == 0


async def test_read_only_credentials_cannot_send_feedback(rest: Rest, tokens: TokenPrincipals) -> None:
    tokens.principals["reader-token"] = replace(rest.world.manager, scopes=frozenset({SCOPE_READ}))
    refused = await rest.call("POST", "/api/feedback", "reader", json={"kind": "bug", "message": "x"})
    assert refused.status_code == 403 and refused.json()["code"] == "read_only_scope"


async def test_the_daily_cap_is_429_with_retry_after(rest: Rest) -> None:
    capped(rest, 1)
    assert (await rest.call("POST", "/api/feedback", "editor", json={"kind": "bug", "message": "1"})).status_code == 201
    over = await rest.call("POST", "/api/feedback", "editor", json={"kind": "bug", "message": "2"})
    assert over.status_code == 429, over.text
    assert over.json()["code"] == "feedback_quota_exceeded" and over.json()["limit"] == 1
    assert int(over.headers["retry-after"]) == 24 * 3600  # the test clock stands still
    # Another caller is not affected.
    assert (await rest.call("POST", "/api/feedback", "viewer", json={"kind": "bug", "message": "3"})).status_code == 201


async def test_openapi_documents_both_operations(rest: Rest) -> None:
    doc = (await rest.client.get("/openapi.json")).json()
    post = doc["paths"]["/api/feedback"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/FeedbackCreate"}
    assert post["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/FeedbackReceipt"}
    assert {"400", "401", "403", "404", "429"} <= set(post["responses"])
    get = doc["paths"]["/api/feedback"]["get"]
    assert get["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/FeedbackList"}
    assert {p["name"] for p in get["parameters"]} == {"kind", "project_id", "limit", "offset"}
