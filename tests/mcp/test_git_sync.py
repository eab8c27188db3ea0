"""connect-github and pull-and-publish through the SDK's client over real HTTP, against a repository served on
loopback by dulwich's smart-HTTP server: the module switch, the name echo, roles and other projects."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from mcp.shared.exceptions import MCPError

from comstack_core import Settings
from comstack_core.schemas import ModuleUpdate

from ..core.gitsync.gitserver import GitServer, commit_files, new_repository, serve
from .conftest import Seed
from .harness import LiveServer, key_headers, mcp_client
from .test_http import data, text


@pytest.fixture
def git(tmp_path: Path) -> Iterator[GitServer]:
    repo = new_repository(tmp_path / "origin")
    commit_files(
        repo, {"docs/index.md": "# Widget\n\nSee [setup](setup.md).\n", "docs/setup.md": "# Setup\n"}, "Docs"
    )
    yield from serve(repo, tmp_path)


@pytest.fixture
def server_settings(settings: Settings, git: GitServer) -> Settings:
    return settings.model_copy(
        update={
            "rate_limit_mcp": 100_000,
            "rate_limit_auth_failures": 100_000,
            "git_allow_private_hosts": True,
            "git_ca_bundle": git.ca_bundle,
        }
    )


async def test_connect_and_pull_over_mcp(live: LiveServer, seed: Seed, git: GitServer) -> None:
    world = seed.world
    args = {"project_id": seed.project_id, "url": git.url, "folder": "docs", "token": "tok-123"}
    async with mcp_client(live.mcp_url, key_headers(seed.keys["manager"], seed.project_id)) as client:
        off = await client.call_tool("connect-github", args)
        assert off.is_error and "module_disabled" in text(off)
        await world.core.modules.configure_module(
            world.manager, seed.project_id, "github_sync", ModuleUpdate(enabled=True)
        )
        shown = data(await client.call_tool("connect-github", args))
        assert shown["has_token"] and "tok-123" not in str(shown)
        refused = await client.call_tool("connect-github", {**args, "url": "http://x/y.git"})
        assert refused.is_error and "git_url_refused" in text(refused)
        data(await client.call_tool("connect-github", args))
        echo = await client.call_tool(
            "pull-and-publish", {"project_id": seed.project_id, "project_name": "Nope"}
        )
        assert echo.is_error and "project_name_mismatch" in text(echo)
        pulled = data(
            await client.call_tool(
                "pull-and-publish", {"project_id": seed.project_id, "project_name": world.project_name}
            )
        )
    assert sorted(p["slug"] for p in pulled["report"]["pages"]) == ["index", "setup"]
    assert sorted(p["slug"] for p in pulled["publish"]["manifest"]["pages"]) == ["index", "setup"]
    assert pulled["publish"]["confirmation_token"]


async def test_editors_and_other_projects_cannot_sync(live: LiveServer, seed: Seed) -> None:
    async with mcp_client(live.mcp_url, key_headers(seed.keys["editor"], seed.project_id)) as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
        assert not {"connect-github", "pull-and-publish"} & names
        refused = await client.call_tool(
            "connect-github", {"project_id": seed.project_id, "url": "https://a.example/b.git"}
        )
        assert refused.is_error and "role_too_low" in text(refused)
    async with mcp_client(live.mcp_url, key_headers(seed.keys["manager"], seed.project_id)) as client:
        with pytest.raises(MCPError, match="cannot be used on project"):  # refused before any tool runs
            await client.call_tool(
                "pull-and-publish", {"project_id": seed.world.other_project_id, "project_name": "Other Co"}
            )
