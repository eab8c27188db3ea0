"""The examples in examples/ run against the real thing: a fresh data dir and a real `comstack serve`."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from ..conftest import REPO


def run(args: list[str], env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [sys.executable, *args],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_core_quickstart_prints_each_step(tmp_path: Path) -> None:
    out = run(["examples/core_quickstart.py", str(tmp_path)])
    lines = out.strip().splitlines()
    assert len(lines) >= 7
    assert lines[0].startswith("1. created user ada@example.com")
    assert "status ready, next action publish" in out
    assert "search 'verify email' -> guides/intro" in out
    assert "#2 (edited), #1 (created)" in out


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    data_dir = tmp_path_factory.mktemp("demo")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "comstack_http.cli",
            "serve",
            "--demo",
            "--port",
            str(port),
            "--data-dir",
            str(data_dir),
        ],
        cwd=REPO,
        env={**os.environ, "COMSTACK_GIT_ALLOW_LOCAL": "true"},  # the repository example uses a local path
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail("comstack serve --demo did not come up")
        creds = json.loads((data_dir / "demo-credentials.json").read_text())
        yield (
            base,
            {
                "COMSTACK_API_KEY": creds["manager_key"],
                "COMSTACK_PROJECT_ID": creds["project_id"],
                "COMSTACK_DATA_DIR": str(data_dir),
            },
        )
    finally:
        proc.terminate()
        proc.wait(15)


def test_rest_client_example(demo_server: tuple[str, dict[str, str]]) -> None:
    base, env = demo_server
    out = run(["examples/rest_client.py", base], env)
    assert "saved guides/rest-example version 1 (changed: True)" in out
    assert "approve: 200 ready" in out
    assert "search hit: guides/rest-example" in out


def test_mcp_client_example(demo_server: tuple[str, dict[str, str]]) -> None:
    base, env = demo_server
    out = run(["examples/mcp_client.py", base + "/mcp"], env)
    assert "get-project-state" in out.splitlines()[0]
    assert "project 'ComStack Demo'" in out


def test_import_mkdocs_example(demo_server: tuple[str, dict[str, str]]) -> None:
    base, env = demo_server
    first = run(["examples/import_mkdocs.py", base], env)
    assert "plan: mkdocs site 'Widget Handbook'" in first
    assert "  setup/install  <- docs/setup/install.md" in first  # created, unless the other example ran first
    assert "sidebar group 'Setup': " in first and "(2 pages)" in first
    assert "converted in docs/setup/install.md" in first
    again = run(["examples/import_mkdocs.py", base], env)
    assert "unchanged 4" in again and "create 4" not in again


def test_connect_repository_example(demo_server: tuple[str, dict[str, str]], tmp_path: Path) -> None:
    from ..core.gitsync.gitserver import commit_files, new_repository

    base, env = demo_server
    site = REPO / "examples/import/mkdocs-site/docs"
    repo = new_repository(tmp_path / "repo")
    files: dict[str, str | bytes | None] = {
        "docs/" + p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()
    }
    commit_files(repo, files, "Docs")
    out = run(
        ["examples/connect_repository.py", base, str(repo), "--folder", "docs", "--confirm"],
        {**env, "COMSTACK_GIT_WEBHOOK_SECRET": "example-secret"},
    )
    assert f"connected {repo}" in out and "/git/webhook  secret: example-secret" in out
    assert "publish succeeded" in out


def test_upload_image_example(demo_server: tuple[str, dict[str, str]]) -> None:
    base, env = demo_server
    out = run(["examples/upload_image.py", base], env)
    assert "REST: img_" in out and "1200x600" in out
    assert "MCP: img_" in out and "reference image:img_" in out
    assert "found=True, " in out or out.count("found=True") == 2


async def test_claude_desktop_example_starts_the_stdio_server(
    demo_server: tuple[str, dict[str, str]],
) -> None:
    """The Claude Desktop config as a person fills it in (the repository's path, the demo's key, project and
    data directory) starts a working MCP server: its command exists after `./run`, wherever it is run from."""
    _, demo = demo_server
    config = json.loads((REPO / "examples/clients/claude_desktop_config.json").read_text())["mcpServers"][
        "comstack"
    ]
    command = config["command"].replace("/absolute/path/to/comstack", str(REPO))
    env = {name: demo.get(name, value) for name, value in config["env"].items()}
    assert set(env) == {"COMSTACK_DATA_DIR", "COMSTACK_API_KEY", "COMSTACK_PROJECT_ID"}
    params = StdioServerParameters(command=command, args=config["args"], env=env, cwd="/")
    async with Client(params, mode="legacy") as client:
        state = await client.call_tool("get-project-state", {"project_id": env["COMSTACK_PROJECT_ID"]})
    assert not state.is_error
    assert json.loads(state.content[0].text)["name"] == "ComStack Demo"  # type: ignore[union-attr]
