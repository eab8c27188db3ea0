"""Live-voice fixtures: projects whose pages went live through the real publish (dry run, confirm, job),
so the answer finder reads exactly what a caller may hear."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from comstack_core import Core, Principal
from comstack_core.demo import seed_demo
from comstack_core.live.knowledge import LiveKnowledge
from comstack_core.models import Project
from comstack_core.schemas import PageCreate, PageRef, PageStatusUpdate, PublishConfirm, PublishRequest

from ...conftest import World


async def publish(core: Core, who: Principal, project_id: str, project_name: str) -> None:
    dry = await core.publishing.publish(who, project_id, PublishRequest(project_name=project_name))
    started = await core.publishing.publish_confirm(
        who, project_id, PublishConfirm(project_name=project_name, confirmation_token=dry.confirmation_token)
    )
    await core.runner.run_pending()
    status = await core.publishing.publish_status(who, project_id, started.publish_id)
    assert status.status == "succeeded", status.error


async def project_row(core: Core, project_id: str) -> Project:
    async with core.db.read() as session:
        return await session.get_one(Project, project_id)


async def knowledge_of(core: Core, project_id: str) -> LiveKnowledge:
    return LiveKnowledge(core.db, await project_row(core, project_id), core.settings.public_url)


async def ready_page(world: World, slug: str, title: str, content: str, **fields: object) -> str:
    """Create a knowledge page and approve it (the next publish makes it live); returns its path."""
    saved = await world.core.editing.create_page(
        world.editor, world.project_id, PageCreate(slug=slug, title=title, content=content, **fields)
    )
    await world.core.pages.set_page_status(
        world.editor,
        world.project_id,
        PageRef(path=saved.page.path),
        PageStatusUpdate(status="ready", project_name=world.project_name),
    )
    return str(saved.page.path)


async def publish_world(world: World) -> None:
    await publish(world.core, world.manager, world.project_id, world.project_name)


@dataclass
class Demo:
    core: Core
    project: Project
    knowledge: LiveKnowledge


@pytest.fixture
async def demo(core: Core, tmp_path: Path) -> Demo:
    """The `serve --demo` project, published."""
    creds = await seed_demo(core, tmp_path / "demo")
    await publish(core, Principal.system(), creds.project_id, creds.project_name)
    project = await project_row(core, creds.project_id)
    return Demo(core, project, LiveKnowledge(core.db, project, core.settings.public_url))
