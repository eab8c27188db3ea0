"""Upload an image over REST (the body is the file), then another through MCP (`upload-image`, base64),
and use it in a page.

    COMSTACK_API_KEY=cs_... COMSTACK_PROJECT_ID=prj_... python examples/upload_image.py [BASE_URL]

Use an editor or manager key. Larger files (up to 50 MB) go through the resumable tus upload at
/api/projects/{id}/images/uploads, e.g. with the `tuspy` client.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import os
import sys

import httpx
import httpx2
from mcp.client import Client
from mcp.client.streamable_http import streamable_http_client
from PIL import Image, ImageDraw


def chart(colour: str) -> bytes:
    image = Image.new("RGB", (1200, 600), "white")
    draw = ImageDraw.Draw(image)
    for i, height in enumerate((200, 350, 280, 500)):
        draw.rectangle((100 + i * 260, 580 - height, 300 + i * 260, 580), fill=colour)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


async def upload_over_mcp(url: str, headers: dict[str, str], project: str) -> dict[str, object]:
    async with (
        httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30.0)) as http,
        Client(streamable_http_client(url, http_client=http)) as client,
    ):
        result = await client.call_tool(
            "upload-image",
            {
                "project_id": project,
                "data_base64": base64.b64encode(chart("teal")).decode(),
                "alt": "Sales by quarter",
            },
        )
        return dict(json.loads("".join(getattr(block, "text", "") for block in result.content)))


def main(base_url: str) -> None:
    project = os.environ["COMSTACK_PROJECT_ID"]
    headers = {"x-api-key": os.environ["COMSTACK_API_KEY"], "x-project-id": project}
    with httpx.Client(base_url=base_url, headers=headers, timeout=60) as api:
        rest = (
            api.post(
                f"/api/projects/{project}/images", content=chart("navy"), params={"alt": "Visits by quarter"}
            )
            .raise_for_status()
            .json()
        )
        print(f"REST: {rest['id']} {rest['width']}x{rest['height']} {rest['bytes']} bytes -> {rest['url']}")
        mcp = asyncio.run(upload_over_mcp(base_url + "/mcp", headers, project))
        print(f"MCP: {mcp['id']} {mcp['width']}x{mcp['height']} reference {mcp['reference']}")
        page = api.post(
            f"/api/projects/{project}/docs",
            json={
                "slug": "guides/charts",
                "title": "Charts of the quarter",
                "description": "Visits and sales by quarter, with the charts the team looks at every Monday.",
                "content": f"# Charts\n\n![Visits by quarter]({rest['reference']})\n\n![Sales]({mcp['reference']})\n",
            },
        )
        if page.status_code == 201:
            read = api.get(f"/api/projects/{project}/docs/{page.json()['page']['path']}").json()
            print("page images:", ", ".join(f"{i['id']} found={i['found']}" for i in read["images"]))
        listed = api.get(f"/api/projects/{project}/images").raise_for_status().json()
        print(f"{listed['total']} image(s), {listed['used_bytes']} of {listed['quota_bytes']} bytes used")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8787")
