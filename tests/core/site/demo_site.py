"""The demo project with a long reference page, published through the real services into a data directory,
and axe-core for the accessibility checks (fetched once from the npm registry, cached, git-ignored)."""

from __future__ import annotations

import asyncio
import fcntl
import json
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from comstack_core import Core, Principal, Settings
from comstack_core.demo import seed_demo
from comstack_core.schemas import (
    PageCreate,
    PageRef,
    PageStatusUpdate,
    PublishConfirm,
    PublishRequest,
    SidebarGroupInput,
)

from ...conftest import REPO

ROOT = REPO
REFERENCE = ROOT / "examples" / "pages" / "configuration-reference.md"
REFERENCE_SLUG = "reference/configuration"
AXE_VERSION = "4.14.1"
NPM_CACHE = ROOT / "test-artifacts" / "npm"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _publish(settings: Settings) -> str:
    async with Core.open(settings) as core:
        demo = await seed_demo(core, settings.data_dir)
        who, pid, name = Principal.system(), demo.project_id, demo.project_name
        await core.editing.create_page(
            who,
            pid,
            PageCreate(
                slug=REFERENCE_SLUG,
                title="Configuration reference",
                description="Every setting of a ComStack installation: its default, what it does and when to change it.",
                content=REFERENCE.read_text(),
            ),
        )
        await core.pages.set_page_status(
            who, pid, PageRef(slug=REFERENCE_SLUG), PageStatusUpdate(status="ready", project_name=name)
        )
        nav = await core.navigation.get_navigation(who, pid)
        reference = next(g for g in nav.sidebar_groups if g.title.get("en") == "Reference")
        await core.navigation.update_sidebar_group(
            who,
            pid,
            reference.id,
            SidebarGroupInput(
                title=reference.title, icon=reference.icon, page_slugs=[*reference.page_slugs, REFERENCE_SLUG]
            ),
        )
        dry = await core.publishing.publish(who, pid, PublishRequest(project_name=name))
        started = await core.publishing.publish_confirm(
            who, pid, PublishConfirm(project_name=name, confirmation_token=dry.confirmation_token)
        )
        await core.runner.run_pending()
        deadline = time.monotonic() + 120
        while (
            status := await core.publishing.publish_status(who, pid, started.publish_id)
        ).status == "running":
            assert time.monotonic() < deadline, "the publish did not finish"
            await asyncio.sleep(0.05)
        assert status.status == "succeeded", status.error
        return (await core.projects.get_project(who, pid)).slug


def publish_demo(data_dir: Path, public_url: str) -> tuple[Settings, str]:
    """Settings to serve the published demo with, and its site slug."""
    settings = Settings(data_dir=data_dir, public_url=public_url, run_publish_jobs=False)
    return settings, asyncio.run(_publish(settings))


def axe_source() -> str:
    """axe-core's browser build, installed with npm into the git-ignored test-artifacts/ on first use."""
    script = NPM_CACHE / "node_modules" / "axe-core" / "axe.min.js"
    NPM_CACHE.mkdir(parents=True, exist_ok=True)
    with open(NPM_CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # test workers install it once between them
        installed = script.parent / "package.json"
        if not installed.exists() or json.loads(installed.read_text())["version"] != AXE_VERSION:
            npm = shutil.which("npm")
            if npm is None:
                pytest.skip("npm is needed to fetch axe-core")
            subprocess.run(
                [npm, "install", "--prefix", str(NPM_CACHE), "--no-save", "--no-package-lock", "--no-audit",
                 "--no-fund", "--loglevel=error", f"axe-core@{AXE_VERSION}"],
                check=True,
                timeout=300,
                capture_output=True,
            )  # fmt: skip
    return script.read_text()
