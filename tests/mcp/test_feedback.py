"""report-feedback through the SDK's client over real HTTP: stored with the MCP door, argument errors,
another project's id, read-only tokens and the daily cap."""

from __future__ import annotations

import pytest
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_REQUEST

from comstack_core import Settings
from comstack_core.schemas import FeedbackFilter

from .conftest import READ_TOKEN, Seed
from .harness import LiveServer, bearer, key_headers, mcp_client
from .test_http import data, text

CAP = 2


@pytest.fixture
def server_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={
        "rate_limit_mcp": 100_000, "rate_limit_auth_failures": 100_000, "feedback_per_day": CAP})


async def listed(seed: Seed) -> list[tuple[str, str, str | None, str | None, str]]:
    found = await seed.world.core.feedback.list_feedback(seed.world.admin, FeedbackFilter())
    return [(f.kind, f.message, f.tool, f.project_id, f.door) for f in reversed(found.feedback)]


async def test_a_viewer_key_reports_feedback(live: LiveServer, seed: Seed) -> None:
    async with mcp_client(live.mcp_url, key_headers(seed.keys["viewer"], seed.project_id)) as client:
        assert "report-feedback" in {tool.name for tool in (await client.list_tools()).tools}
        receipt = data(await client.call_tool("report-feedback", {
            "kind": "confusing", "message": "get-page-content wants a path or a slug; say which first.",
            "tool": "get-page-content"}))
    assert receipt["id"].startswith("fb_") and receipt["thanks"].startswith("Thank you")
    assert await listed(seed) == [("confusing", "get-page-content wants a path or a slug; say which first.",
                                   "get-page-content", seed.project_id, "mcp")]


async def test_bad_arguments_and_other_projects_store_nothing(live: LiveServer, seed: Seed) -> None:
    async with mcp_client(live.mcp_url, key_headers(seed.keys["editor"], seed.project_id)) as client:
        bad = await client.call_tool("report-feedback", {"kind": "rant", "message": "   ", "severity": 1})
        assert bad.is_error
        body = text(bad)
        assert "Invalid arguments for report-feedback" in body
        assert "- kind:" in body and "- message:" in body and "- severity:" in body
        with pytest.raises(MCPError) as raised:  # a key's other project is a protocol error (SPEC §2)
            await client.call_tool("report-feedback", {
                "kind": "bug", "message": "x", "project_id": seed.world.other_project_id})
        assert raised.value.code == INVALID_REQUEST
    assert await listed(seed) == []


async def test_read_only_tokens_neither_see_nor_send_feedback(live: LiveServer, seed: Seed) -> None:
    async with mcp_client(live.mcp_url, bearer(READ_TOKEN)) as client:
        assert "report-feedback" not in {tool.name for tool in (await client.list_tools()).tools}
        refused = await client.call_tool("report-feedback", {"kind": "bug", "message": "x"})
    assert refused.is_error and "code: read_only_scope" in text(refused)
    assert await listed(seed) == []


async def test_the_daily_cap_is_a_tool_error_with_a_next_step(live: LiveServer, seed: Seed) -> None:
    async with mcp_client(live.mcp_url, key_headers(seed.keys["manager"], seed.project_id)) as client:
        for i in range(CAP):
            data(await client.call_tool("report-feedback", {"kind": "bug", "message": f"report {i}"}))
        capped = await client.call_tool("report-feedback", {"kind": "bug", "message": "one too many"})
    assert capped.is_error
    assert "code: feedback_quota_exceeded" in text(capped) and "next step: Do not retry now" in text(capped)
    assert capped.structured_content is not None and capped.structured_content["limit"] == CAP
    assert len(await listed(seed)) == CAP
