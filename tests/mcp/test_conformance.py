"""The official MCP conformance suite against a real server.

Needs Node (``npx``); the suite's current release needs Node >= 22, so ``npx`` also fetches the
``node@22`` package and runs the suite with it:

    npx -y -p node@22 -p @modelcontextprotocol/conformance@0.1.16 -- conformance server \
        --url http://127.0.0.1:<port>/mcp/ --expected-failures tests/mcp/conformance-baseline.yml

The suite cannot send credentials, so this test (and only this test) serves the app behind a wrapper
that adds a seeded manager key's ``x-api-key`` / ``x-project-id`` headers to every request.
"""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from comstack_core import Settings

from ..conftest import IN_CI, REPO
from .conftest import Seed
from .harness import FixedTokens, LiveServer, build_app, serve

SUITE = "@modelcontextprotocol/conformance@0.1.16"
BASELINE = Path(__file__).parent / "conformance-baseline.yml"


class InjectKey:
    """Test-only: makes anonymous requests carry a fixed API key (the suite has no header option)."""

    def __init__(self, app: ASGIApp, key: str, project_id: str) -> None:
        self.app, self.headers = app, [(b"x-api-key", key.encode()), (b"x-project-id", project_id.encode())]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope = {**scope, "headers": [*scope["headers"], *self.headers]}
        await self.app(scope, receive, send)


@pytest.fixture
def keyed(server_settings: Settings, tokens: FixedTokens, seed: Seed) -> Iterator[LiveServer]:
    app = build_app(server_settings, tokens)
    with serve(InjectKey(app, seed.keys["manager"], seed.project_id)) as server:
        yield server


@pytest.mark.timeout(600)
async def test_conformance_suite(keyed: LiveServer, tmp_path: Path) -> None:
    npx = _npx()
    # The trailing slash reaches the endpoint directly whether /mcp is a Route or only a Mount.
    command = [npx, "-y", "-p", "node@22", "-p", SUITE, "--", "conformance", "server",
               "--url", keyed.mcp_url + "/", "--expected-failures", str(BASELINE), "-o", str(tmp_path)]
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, "npm_config_update_notifier": "false"})
    output, _ = await asyncio.wait_for(process.communicate(), timeout=540)
    report = output.decode(errors="replace")
    summary = report[report.find("=== SUMMARY ==="):] if "=== SUMMARY ===" in report else report[-4000:]
    assert process.returncode == 0, summary
    assert "Baseline check passed" in report or "Total:" in report, summary


def _readme_command(start: str) -> list[str]:
    """The shell command in the README that begins with ``start`` (backslash continuations joined)."""
    text = (REPO / "README.md").read_text().replace("\\\n", " ")
    line = next(line for line in text.splitlines() if line.startswith(start))
    return shlex.split(line.split(" #", 1)[0])


def _npx() -> str:
    npx = shutil.which("npx")
    if npx is None:
        if IN_CI:
            pytest.fail("npx is required in CI for the Inspector and the conformance suite")
        pytest.skip("npx not installed")
    return npx


@pytest.mark.timeout(300)
async def test_the_readme_inspector_command_works(live: LiveServer, seed: Seed) -> None:
    """The README's Inspector command (pinned, on Node 22, with the key headers) lists the tools."""
    command = _readme_command("npx -y -p node@22 -p @modelcontextprotocol/inspector@")
    filled = {"http://127.0.0.1:8787/mcp": live.mcp_url, "<manager key>": seed.keys["manager"],
              "<project id>": seed.project_id}
    for placeholder, value in filled.items():
        command = [part.replace(placeholder, value) for part in command]
    process = await asyncio.create_subprocess_exec(
        _npx(), *command[1:], stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "npm_config_update_notifier": "false"})
    out, err = await asyncio.wait_for(process.communicate(), timeout=240)
    assert process.returncode == 0, err.decode(errors="replace")[-2000:]
    names = {tool["name"] for tool in json.loads(out)["tools"]}
    assert {"get-project-state", "get-page-content", "publish"} <= names


def test_the_readme_runs_the_pinned_conformance_suite() -> None:
    readme = (REPO / "README.md").read_text()
    assert "-m pytest -n 0 tests/mcp/test_conformance.py" in readme
    assert f"conformance suite ({SUITE.rsplit('@', 1)[1]})" in readme
