"""The stdio door: a real subprocess (``python -m comstack_mcp``) driven by the SDK's stdio client."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from mcp import Client
from mcp.client.stdio import StdioServerParameters

from comstack_core import Settings

from .conftest import Seed


def server_params(settings: Settings, key: str, project_id: str) -> StdioServerParameters:
    env = {
        "COMSTACK_DATABASE_URL": settings.resolved_database_url(),
        "COMSTACK_DATA_DIR": str(settings.data_dir),
        "COMSTACK_PUBLIC_URL": settings.public_url,
        "COMSTACK_API_KEY": key,
        "COMSTACK_PROJECT_ID": project_id,
        "PATH": os.environ.get("PATH", ""),
    }
    return StdioServerParameters(command=sys.executable, args=["-m", "comstack_mcp"], env=env)


async def test_stdio_lists_and_calls_tools(settings: Settings, seed: Seed) -> None:
    params = server_params(settings, seed.keys["editor"], seed.project_id)
    async with Client(params, mode="legacy") as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
        assert "create-page" in names and "delete-page" not in names  # an editor key
        result = await client.call_tool("get-project-state", {"project_id": seed.project_id})
        assert not result.is_error
        state = json.loads(result.content[0].text)  # type: ignore[union-attr]
        assert state["name"] == seed.world.project_name and state["role"] == "editor"
        created = await client.call_tool("create-page", {
            "project_id": seed.project_id, "slug": "stdio", "title": "Written over stdio"})
        assert not created.is_error
    audit = await seed.world.core.projects.list_audit(seed.world.manager, seed.project_id, action="page.create")
    assert [entry.door for entry in audit] == ["mcp"]


async def test_stdio_refuses_to_start_with_a_bad_key(settings: Settings, seed: Seed) -> None:
    params = server_params(settings, "cs_" + "x" * 40, seed.project_id)
    process = await asyncio.create_subprocess_exec(
        params.command, *params.args, env=params.env, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 2
    assert stdout == b""  # stdout is the protocol channel: nothing but MCP ever goes there
    assert b"Unknown API key" in stderr
    # Which data the key was looked up in: a key made by a server with another data directory is "unknown".
    assert settings.resolved_database_url().split(":///", 1)[-1].encode() in stderr


async def test_stdio_never_creates_an_empty_database(tmp_path: Path) -> None:
    """Started from a folder without a database (the usual mistake: the server runs elsewhere), it says
    which data directory it looked in and creates nothing there."""
    data_dir = tmp_path / "elsewhere" / ".comstack"
    env = {"COMSTACK_DATA_DIR": str(data_dir), "COMSTACK_API_KEY": "cs_" + "x" * 40,
           "COMSTACK_PROJECT_ID": "prj_x", "PATH": os.environ.get("PATH", "")}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "comstack_mcp", env=env, cwd=tmp_path, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 2 and stdout == b""
    assert b"No ComStack database in the data directory " + str(data_dir).encode() in stderr
    assert not (data_dir / "comstack.db").exists()
