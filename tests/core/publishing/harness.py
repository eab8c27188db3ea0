"""Real parts for the publishing tests: uvicorn on loopback (in a thread or as a `comstack serve` process
that can be SIGKILLed), page corpora, and helpers that drive a publish through the core."""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from comstack_core import Core, Principal
from comstack_core.publishing import deploy
from comstack_core.schemas import (
    PageCreate,
    PageRef,
    PageStatusUpdate,
    PageUpdate,
    PublishConfirm,
    PublishRequest,
    PublishStatus,
)

from ...conftest import REPO

if TYPE_CHECKING:
    from .conftest import Pub


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ServerProcess:
    """``comstack serve`` as a real process in its own session, so a test can SIGKILL it and its helpers."""

    env: dict[str, str]
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, log: Path, timeout: float = 60) -> ServerProcess:
        return self.launch(log).wait_ready(timeout)

    def launch(self, log: Path) -> ServerProcess:
        """Start the process without waiting for it (it takes seconds to import and migrate)."""
        self.log = log
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "comstack_http.cli",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                env={**os.environ, "COMSTACK_PUBLIC_URL": self.base_url, **self.env},  # several servers may share one
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=REPO,
                start_new_session=True,
            )
        return self

    def wait_ready(self, timeout: float = 60) -> ServerProcess:
        assert self.proc is not None and self.log is not None
        log = self.log
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"comstack serve exited with {self.proc.returncode}:\n{log.read_text()[-3000:]}"
                )
            try:
                if httpx.get(self.base_url + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"comstack serve did not come up:\n{log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL the server and every process it started (the render helper), by process group id."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()


async def until(
    predicate: Callable[[], Awaitable[Any]],
    *,
    limit_s: float = 60,
    every: float = 0.05,
    what: str = "condition",
) -> Any:
    """Await ``predicate()`` until it returns something truthy: polling a real process's progress, never a
    stand-in for a time window."""
    deadline = time.monotonic() + limit_s
    while (value := await predicate()) is None or not value:
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(every)
    return value


# -- corpora -----------------------------------------------------------------------------------------


def heavy_markdown(i: int, n: int, sections: int) -> str:
    """A long page (headings, lists, code, tables, cross links) that takes a while to render."""
    parts = [f"Intro of page {i}.\n"]
    for j in range(sections):
        parts.append(
            f"## Section {j}\n\nText about item {i}-{j} with **bold**, `code` and a "
            f"[link to page {(i + 1) % n}](/docs/p{(i + 1) % n}).\n\n"
            f"```python\ndef handler_{j}(event):\n    total = sum(x * {j} for x in event['items'])\n"
            f"    return {{'page': {i}, 'total': total}}\n```\n\n"
            f"| key | value |\n|---|---|\n| page | {i} |\n| section | {j} |\n\n- first\n- second\n  - nested\n"
        )
    return "\n".join(parts)


async def add_ready_pages(
    core: Core,
    who: Principal,
    project_id: str,
    project_name: str,
    pages: list[tuple[str, str, str]],
    **extra: Any,
) -> None:
    """Create knowledge pages (slug, title, Markdown) and approve them, through the services."""
    for slug, title, content in pages:
        await core.editing.create_page(
            who,
            project_id,
            PageCreate(
                slug=slug, title=title, description=f"About {title.lower()}.", content=content, **extra
            ),
        )
        await core.pages.set_page_status(
            who,
            project_id,
            PageRef(slug=slug, language=extra.get("language")),
            PageStatusUpdate(status="ready", project_name=project_name),
        )


async def edit_and_approve(pub: Pub, slug: str, content: str) -> None:
    core, editor = pub.core, pub.world.editor
    page = await core.pages.get_page(editor, pub.project_id, PageRef(slug=slug))
    await core.editing.update_page(
        editor, pub.project_id, PageRef(slug=slug), PageUpdate(base_version=page.version, content=content)
    )
    await core.pages.set_page_status(
        editor, pub.project_id, PageRef(slug=slug), PageStatusUpdate(status="ready", project_name=pub.name)
    )


async def dry_run_and_confirm(core: Core, who: Principal, project_id: str, project_name: str) -> str:
    """The dry run, then the confirm with its token: the job's id."""
    dry = await core.publishing.publish(who, project_id, PublishRequest(project_name=project_name))
    started = await core.publishing.publish_confirm(
        who, project_id, PublishConfirm(project_name=project_name, confirmation_token=dry.confirmation_token)
    )
    return started.publish_id


async def publish_and_run(core: Core, who: Principal, project_id: str, project_name: str) -> PublishStatus:
    """Dry run, confirm, and the job's final status."""
    publish_id = await dry_run_and_confirm(core, who, project_id, project_name)
    # Run it here, unless an app's runner (when the test serves the app) has already claimed it.
    await core.runner.run_pending()
    deadline = time.monotonic() + 120
    while True:
        status = await core.publishing.publish_status(who, project_id, publish_id)
        if status.status != "running" or time.monotonic() > deadline:
            return status
        await asyncio.sleep(0.05)


# -- the site on disk --------------------------------------------------------------------------------


def snapshot(directory: Path) -> dict[str, str]:
    """rel path -> sha256 of every file of a built site (dotfiles excluded: the publisher's bookkeeping,
    which the server never serves)."""
    out = {}
    for path in sorted(directory.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            out[path.relative_to(directory).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def served_slot(core: Core, project_id: str) -> str | None:
    return deploy.active_slot(core.settings.sites_dir, project_id)


def served_dir(core: Core, project_id: str) -> Path:
    found = deploy.served_dir(core.settings.sites_dir, project_id)
    assert found is not None, "no site is being served"
    return found


async def reference_build(core: Core, project_id: str, out: Path) -> dict[str, str]:
    """Build the project's current live state from scratch with the builder itself: what a finished
    publish must be serving, file for file."""
    from comstack_core.models import Project
    from comstack_core.publishing.build_input import current_nav, site_config, site_pages, site_url
    from comstack_core.site import build_site

    async with core.db.read() as session:
        project = await session.get_one(Project, project_id)
        nav = await current_nav(session, project_id)
        config = site_config(project, site_url(core.settings.public_url, project), nav)
        pages = await site_pages(session, project)
    await asyncio.to_thread(build_site, config, pages, out, None)
    return snapshot(out)
