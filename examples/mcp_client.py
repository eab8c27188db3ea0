"""Talk to ComStack's MCP server with the official `mcp` SDK client over streamable HTTP.

COMSTACK_API_KEY=cs_... COMSTACK_PROJECT_ID=prj_... python examples/mcp_client.py [MCP_URL]
"""

from __future__ import annotations

import asyncio
import json
import os
import sys

import httpx2
from mcp.client import Client
from mcp.client.streamable_http import streamable_http_client


async def main(url: str) -> None:
    project = os.environ["COMSTACK_PROJECT_ID"]
    headers = {"x-api-key": os.environ["COMSTACK_API_KEY"], "x-project-id": project}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30.0)) as http,
        Client(streamable_http_client(url, http_client=http)) as client,
    ):
        tools = await client.list_tools()
        print("tools:", ", ".join(tool.name for tool in tools.tools))
        state = await client.call_tool("get-project-state", {"project_id": project})
        data = json.loads("".join(getattr(block, "text", "") for block in state.content))
        print(f"project {data['name']!r}: {data['counts']}")
        print("next step:", data["workflow_hint"])


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8787/mcp"))
