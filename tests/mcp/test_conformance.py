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
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from comstack_core import Settings

from ..conftest import IN_CI
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
    npx = shutil.which("npx")
    if npx is None:
        if IN_CI:
            pytest.fail("npx is required in CI for the MCP conformance suite")
        pytest.skip("npx not installed")
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
