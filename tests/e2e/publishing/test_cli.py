"""`comstack publish --project ID [--yes]` as a real subprocess on an embedded data directory."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx

from comstack_core import Core, Principal, Settings
from comstack_core.demo import seed_demo
from comstack_http.app import create_app

from ...conftest import REPO
from ...core.publishing.harness import ServerProcess
from ...lifespan import running


def comstack(*args: str, data_dir: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("comstack")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "comstack_http.cli"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMSTACK_")}
    env["COMSTACK_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [*command, *args], input=stdin, capture_output=True, text=True, env=env, cwd=REPO, timeout=120
    )


async def test_publish_from_the_cli(tmp_path: Path) -> None:
    data_dir = tmp_path / "embedded"
    settings = Settings(data_dir=data_dir, public_url="http://testserver")
    async with Core.open(settings) as core:
        demo = await seed_demo(core, data_dir)
        slug = (await core.projects.get_project(Principal.system(), demo.project_id)).slug

    # No server ever ran here, so no public URL is known: the CLI refuses and says how to give one.
    unknown = comstack("publish", "--project", demo.project_id, "--yes", data_dir=data_dir)
    assert unknown.returncode == 2, unknown.stderr
    assert "--public-url" in unknown.stderr and "comstack serve" in unknown.stderr

    url = ("--public-url", "http://testserver")
    declined = comstack("publish", "--project", demo.project_id, *url, data_dir=data_dir, stdin="n\n")
    assert declined.returncode == 1, declined.stderr
    assert "guides/getting-started" in declined.stderr and "Not published." in declined.stderr

    done = comstack("publish", "--project", demo.project_id, "--yes", *url, data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    publish_id = done.stdout.strip()
    assert re.fullmatch(r"pub_\w+", publish_id), done.stdout
    assert "Published:" in done.stderr and "13 pages rendered" in done.stderr

    nothing = comstack("publish", "--project", demo.project_id, "--yes", *url, data_dir=data_dir)
    assert nothing.returncode == 2 and "Nothing to publish" in nothing.stderr

    async with Core.open(settings) as core:
        history = await core.publishing.list_publish_history(Principal.system(), demo.project_id)
        assert [(p.publish_id, p.status, p.actor_kind) for p in history] == [
            (publish_id, "succeeded", "system")
        ]
        async with running(create_app(settings, core=core)) as app:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
                home = await http.get(f"/sites/{slug}/")
                assert home.status_code == 200 and "Your knowledge, everywhere" in home.text
                guide = await http.get(f"/sites/{slug}/guides/writing-pages/")
                assert guide.status_code == 200 and "Writing knowledge pages" in guide.text


async def test_a_cli_publish_writes_the_servers_site_url(tmp_path: Path) -> None:
    """With the server on a port of its own choosing, a publish run from the command line (which was told no
    URL) builds the server's URL into canonical links, the sitemap, robots.txt and llms.txt, not a default."""
    data_dir = tmp_path / "embedded"
    async with Core.open(Settings(data_dir=data_dir)) as core:
        demo = await seed_demo(core, data_dir)
        slug = (await core.projects.get_project(Principal.system(), demo.project_id)).slug
    server = ServerProcess(env={"COMSTACK_DATA_DIR": str(data_dir)}).start(tmp_path / "server.log")
    try:
        done = comstack("publish", "--project", demo.project_id, "--yes", data_dir=data_dir)
        assert done.returncode == 0, done.stderr
        site = f"{server.base_url}/sites/{slug}/"
        assert server.port != 8787 and f"Published: {site}" in done.stderr
        async with httpx.AsyncClient(base_url=site, timeout=30) as http:
            for name in ("sitemap.xml", "robots.txt", "llms.txt"):
                body = (await http.get(name)).text
                assert site in body and "127.0.0.1:8787" not in body, (name, body[:300])
            home = (await http.get("guides/getting-started/")).text
            assert f'<link rel="canonical" href="{site}guides/getting-started/"' in home
            assert "127.0.0.1:8787" not in home
    finally:
        server.stop()
