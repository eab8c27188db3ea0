"""The `comstack` command as scripts use it: only the asked-for value on stdout, errors exit 2."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from comstack_core import Core, Settings

from ..conftest import REPO


def comstack(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COMSTACK_DATA_DIR": str(data_dir)}
    env.pop("COMSTACK_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "comstack_http.cli", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_admin_commands_print_only_the_value(tmp_path: Path) -> None:
    user = comstack(
        "admin", "create-user", "--email", "ada@example.com", "--password", "correct horse", data_dir=tmp_path
    )
    assert user.returncode == 0, user.stderr
    assert re.fullmatch(r"usr_[a-z0-9]{14}\n", user.stdout)

    project = comstack(
        "admin", "create-project", "--name", "Acme Docs", "--owner", "ada@example.com", data_dir=tmp_path
    )
    assert project.returncode == 0, project.stderr
    assert re.fullmatch(r"prj_[a-z0-9]{14}\n", project.stdout)

    key = comstack(
        "admin", "create-key", "--project", project.stdout.strip(), "--role", "viewer", data_dir=tmp_path
    )
    assert key.returncode == 0, key.stderr
    assert re.fullmatch(r"cs_[A-Za-z0-9]{40}\n", key.stdout)


def test_errors_go_to_stderr_with_status_2(tmp_path: Path) -> None:
    bad_email = comstack("admin", "create-user", "--email", "not-an-email", data_dir=tmp_path)
    assert bad_email.returncode == 2 and bad_email.stdout == ""
    assert "not a valid email address" in bad_email.stderr
    no_project = comstack("admin", "create-key", "--project", "prj_missing", data_dir=tmp_path)
    assert no_project.returncode == 2 and no_project.stdout == ""
    assert "No project 'prj_missing'" in no_project.stderr
    short_password = comstack(
        "admin", "create-user", "--email", "b@example.com", "--password", "short", data_dir=tmp_path
    )
    assert short_password.returncode == 2 and "password" in short_password.stderr


def test_migrate_brings_a_new_database_up_to_date(tmp_path: Path) -> None:
    done = comstack("migrate", data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and "up to date" in done.stderr
    assert (tmp_path / "comstack.db").exists()


def test_importing_the_core_does_not_import_the_doors() -> None:
    code = (
        "import sys, comstack_core, comstack_core.core; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'starlette', 'mcp', 'uvicorn'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def _served_log(tmp_path: Path, *flags: str, then: Callable[[str], object] = lambda base: None) -> str:
    """Start `comstack serve` with ``flags``, make one request and ``then(base_url)``, stop it; what it
    logged."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "COMSTACK_DATA_DIR": str(tmp_path)}
    env.pop("COMSTACK_DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "comstack_http.cli", "serve", "--port", str(port), *flags],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)
        then(f"http://127.0.0.1:{port}")
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=30)
    return output


def test_serve_writes_an_access_log_unless_told_not_to(tmp_path: Path) -> None:
    assert '"GET /healthz HTTP/1.1" 200' in _served_log(tmp_path)
    quiet = _served_log(tmp_path, "--no-access-log")
    assert "Application startup complete" in quiet and "GET /healthz" not in quiet


def test_the_served_app_freezes_its_startup_heap(tmp_path: Path) -> None:
    """The app `comstack serve` runs hides its startup objects from the garbage collector while it runs
    (no long pauses walking them) and gives them back on shutdown. In a child process: freezing is
    process-wide."""
    code = (
        "import asyncio, gc\n"
        "from comstack_http.asgi import app_factory\n"
        "async def main():\n"
        "    app = app_factory()\n"
        "    async with app.router.lifespan_context(app):\n"
        "        print(gc.get_freeze_count() > 10_000)\n"
        "    print(gc.get_freeze_count())\n"
        "asyncio.run(main())\n"
    )
    env = {**os.environ, "COMSTACK_DATA_DIR": str(tmp_path)}
    env.pop("COMSTACK_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "0"]


def test_the_demo_starts_with_its_site_published_and_a_sign_in(tmp_path: Path) -> None:
    """A first `serve --demo` publishes the demo's site and prints where it is, and prints a sign-in for
    trying OAuth; a second start finds the site published and prints the same sign-in."""
    pages: dict[str, httpx.Response] = {}

    def visit(base: str) -> None:
        pages["home"] = httpx.get(f"{base}/sites/comstack-demo/", timeout=10, follow_redirects=True)
        pages["guide"] = httpx.get(f"{base}/sites/comstack-demo/guides/getting-started/", timeout=10)

    banner = _served_log(tmp_path, "--demo", then=visit)
    assert pages["home"].status_code == 200 and pages["guide"].status_code == 200
    assert "Getting started with ComStack" in pages["guide"].text
    site = re.search(r"Site\s+(\S+)", banner)
    assert site and site.group(1).endswith("/sites/comstack-demo/"), banner
    assert "not published" not in banner
    sign_in = re.search(r"Sign in\s+(\S+@\S+) / (\S+)", banner)
    assert sign_in, banner
    email, password = sign_in.groups()

    async def check() -> str:
        async with Core.open(Settings(data_dir=tmp_path, database_url=None)) as core:
            return (await core.users.check_password(email, password)).email

    assert asyncio.run(check()) == email
    again = _served_log(tmp_path, "--demo")
    assert f"Sign in      {email} / {password}" in again and "not published" not in again
