"""The MCP conformance suite and the Inspector CLI against a published site's public MCP server.

Needs Node (``npx``), like ``test_conformance.py``: the suite and the Inspector run on Node 22, which
``npx`` fetches. The server needs no credentials, so the suite talks to the real app as it is served:

    npx -y -p node@22 -p @modelcontextprotocol/conformance@0.1.16 -- conformance server \
        --url http://127.0.0.1:<port>/sites/<slug>/mcp/ --expected-failures tests/mcp/reader-conformance-baseline.yml
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from comstack_core import Settings

from ..conftest import World
from ..core.publishing.harness import add_ready_pages, publish_and_run
from .harness import FixedTokens, LiveServer, build_app, serve
from .test_conformance import SUITE, _npx, _readme_command

BASELINE = Path(__file__).parent / "reader-conformance-baseline.yml"


@pytest.fixture
def published_site(world: World, server_settings: Settings) -> Iterator[LiveServer]:
    """The app as served; each test publishes the world's project (``_publish``) before calling it."""
    with serve(build_app(server_settings.model_copy(update={"rate_limit_reader_mcp": 100_000}),
                         FixedTokens({}))) as server:
        yield server


async def _publish(world: World) -> None:
    await add_ready_pages(world.core, world.editor, world.project_id, world.project_name,
                          [("guides/intro", "Getting started", "# Intro\n\nHow to install it.\n")])
    status = await publish_and_run(world.core, world.manager, world.project_id, world.project_name)
    assert status.status == "succeeded", status.error


async def _run(command: list[str], limit_s: float) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "npm_config_update_notifier": "false"})
    out, err = await asyncio.wait_for(process.communicate(), timeout=limit_s)
    return process.returncode or 0, out.decode(errors="replace"), err.decode(errors="replace")


@pytest.mark.timeout(600)
async def test_conformance_suite_against_a_site(world: World, published_site: LiveServer, tmp_path: Path) -> None:
    await _publish(world)
    url = published_site.base_url + "/sites/acme-docs/mcp/"
    code, out, err = await _run([_npx(), "-y", "-p", "node@22", "-p", SUITE, "--", "conformance", "server",
                                 "--url", url, "--expected-failures", str(BASELINE), "-o", str(tmp_path)], 540)
    report = out + err
    summary = report[report.find("=== SUMMARY ==="):] if "=== SUMMARY ===" in report else report[-4000:]
    assert code == 0, summary
    assert "Baseline check passed" in report or "Total:" in report, summary


@pytest.mark.timeout(300)
async def test_the_readme_inspector_command_lists_a_sites_tools(world: World, published_site: LiveServer) -> None:
    """The README's Inspector command for a site (pinned, on Node 22, no credentials) lists its tools."""
    await _publish(world)
    command = _readme_command("npx -y -p node@22 -p @modelcontextprotocol/inspector@2.12.0 -- mcp-inspector --cli https://docs")
    command = [part.replace("https://docs.example.com/mcp", published_site.base_url + "/sites/acme-docs/mcp")
               for part in command]
    code, out, err = await _run([_npx(), *command[1:]], 240)
    assert code == 0, err[-2000:]
    assert {tool["name"] for tool in json.loads(out)["tools"]} == {"search", "get-page", "list-pages"}
