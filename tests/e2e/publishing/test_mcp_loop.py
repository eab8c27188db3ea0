"""The whole publishing loop through the real ``mcp`` SDK client over streamable HTTP, against uvicorn."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp_types import CallToolResult

from comstack_core import Core, Principal
from comstack_core.demo import seed_demo
from comstack_http.app import create_app

from ...core.publishing.harness import free_port
from ...lifespan import serve


@asynccontextmanager
async def mcp_session(url: str, headers: dict[str, str]) -> AsyncIterator[Client]:
    async with (
        httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(60.0)) as http,
        Client(streamable_http_client(url, http_client=http)) as client,
    ):
        yield client


def text(result: CallToolResult) -> str:
    return "".join(getattr(block, "text", "") for block in result.content)


def data(result: CallToolResult) -> Any:
    assert not result.is_error, text(result)
    return json.loads(text(result))


async def test_publish_loop_over_mcp(core: Core, tmp_path: Path) -> None:
    demo = await seed_demo(core, tmp_path / "demo")
    pid, name = demo.project_id, demo.project_name
    slug = (await core.projects.get_project(Principal.system(), pid)).slug
    port = free_port()
    settings = core.settings.model_copy(update={"public_url": f"http://127.0.0.1:{port}"})
    headers = {"x-api-key": demo.manager_key, "x-project-id": pid}

    with serve(create_app(settings), port=port) as base:
        async with mcp_session(base + "/mcp", headers) as client:
            tools = {t.name for t in (await client.list_tools()).tools}
            assert {
                "publish",
                "publish-confirm",
                "publish-status",
                "list-publish-history",
                "revert-publish",
                "list-translation-tasks",
                "submit-translation",
            } <= tools

            refused = await client.call_tool("publish", {"project_id": pid, "project_name": "Someone Else"})
            assert refused.is_error and "project_name_mismatch" in text(refused)

            dry = data(await client.call_tool("publish", {"project_id": pid, "project_name": name}))
            assert re.fullmatch(r"[0-9a-f]{64}", dry["confirmation_token"])
            assert len(dry["manifest"]["pages"]) == 13
            assert dry["manifest"]["target_site_url"] == f"{base}/sites/{slug}/"

            started = data(
                await client.call_tool(
                    "publish-confirm",
                    {
                        "project_id": pid,
                        "project_name": name,
                        "confirmation_token": dry["confirmation_token"],
                    },
                )
            )
            assert started["status"] == "running"

            reused = await client.call_tool(
                "publish-confirm",
                {"project_id": pid, "project_name": name, "confirmation_token": dry["confirmation_token"]},
            )
            assert reused.is_error and "token_used" in text(reused)

            for _ in range(600):
                status = data(
                    await client.call_tool(
                        "publish-status", {"project_id": pid, "publish_id": started["publish_id"]}
                    )
                )
                if status["status"] != "running":
                    break
                await asyncio.sleep(0.05)
            assert status["status"] == "succeeded", status
            assert status["counts"]["rendered"] == 13 and status["site_url"] == f"{base}/sites/{slug}/"

            history = data(await client.call_tool("list-publish-history", {"project_id": pid}))
            assert [(p["publish_id"], p["status"]) for p in history["publishes"]] == [
                (started["publish_id"], "succeeded")
            ]

        async with httpx.AsyncClient(base_url=base) as http:
            home = await http.get(f"/sites/{slug}/")
            assert home.status_code == 200 and "Your knowledge, everywhere" in home.text
            page = await http.get(f"/sites/{slug}/reference/roles/")
            assert page.status_code == 200 and "Roles and permissions in a project" in page.text
            # The built site links with the server's public URL, so it works as served.
            assert f'href="{base}/sites/{slug}/reference/roles/"' in page.text
