"""A voice project reachable over the real app: business-voice template, voice_web on, three public
pages live (one more only as a draft and one internal), the world's viewer a member and the outsider
not."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from comstack_core import Core, Principal
from comstack_core.schemas import (
    KeyCreate,
    MemberAdd,
    ModuleUpdate,
    PageCreate,
    PageRef,
    PageStatusUpdate,
    PlanUpdate,
    ProjectCreate,
    PublishConfirm,
    PublishRequest,
)

from ...conftest import World
from ..conftest import Rest, key_headers

NAME = "Corner Bakery"
PAGES = [
    (
        "visit/opening-hours",
        "Opening hours",
        "When the bakery is open.",
        "# Opening hours\n\nThe bakery is open from 7 am to 6 pm, Monday to Saturday. On Sundays the bakery "
        "is closed.",
    ),
    (
        "help/returns",
        "Returns and refunds",
        "How to return a cake.",
        "# Returns and refunds\n\nYou can return an order within 2 days for a full refund. Bring the "
        "receipt to the counter.",
    ),
    (
        "order/delivery",
        "Delivery",
        "Where we deliver.",
        "# Delivery\n\nWe deliver wedding cakes within 20 kilometres of the bakery. Delivery costs 15 euros.",
    ),
]


@dataclass
class Voice:
    rest: Rest
    project_id: str
    other_project_id: str  # another voice project, of the outsider

    @property
    def core(self) -> Core:
        return self.rest.core

    @property
    def world(self) -> World:
        return self.rest.world

    async def key(self, role: str = "viewer", project_id: str | None = None) -> dict[str, str]:
        pid = project_id or self.project_id
        owner = self.world.manager if pid == self.project_id else self.world.outsider
        created = await self.core.keys.create_key(owner, pid, KeyCreate(name=f"{role} voice", role=role))
        return key_headers(created.key, pid)

    async def start(self, who: str | dict[str, str] = "viewer", **body: Any) -> httpx.Response:
        headers = who if isinstance(who, dict) else {"x-project-id": self.project_id, **_bearer(who)}
        return await self.rest.client.post("/api/live/session", headers=headers, json=body)

    async def execute(self, started: dict[str, Any], name: str, **arguments: Any) -> httpx.Response:
        return await self.rest.client.post(
            "/api/live/tools/execute",
            headers={"authorization": f"Bearer {started['token']}"},
            json={"session_id": started["session_id"], "name": name, "arguments": arguments},
        )


def _bearer(who: str) -> dict[str, str]:
    return {"authorization": f"Bearer {who}-token"}


async def publish_all(core: Core, project_id: str, name: str) -> None:
    system = Principal.system()
    dry = await core.publishing.publish(system, project_id, PublishRequest(project_name=name))
    started = await core.publishing.publish_confirm(
        system, project_id, PublishConfirm(project_name=name, confirmation_token=dry.confirmation_token)
    )
    # The app's own runner may have claimed the job: run what is pending and wait for the outcome.
    for _ in range(600):
        await core.runner.run_pending()
        status = await core.publishing.publish_status(system, project_id, started.publish_id)
        if status.status != "running":
            break
        await asyncio.sleep(0.05)
    assert status.status == "succeeded", status.error


async def voice_project(core: Core, owner: Principal, name: str, *, pages: bool = True) -> str:
    project = await core.projects.create_project(
        owner, ProjectCreate(name=name, template_id="business-voice")
    )
    await core.modules.configure_module(owner, project.id, "voice_web", ModuleUpdate(enabled=True))
    if pages:
        for slug, title, description, content in PAGES:
            await ready(
                core,
                owner,
                project.id,
                name,
                PageCreate(slug=slug, title=title, description=description, content=content),
            )
        await publish_all(core, project.id, name)
        # Written after the publish: a draft nobody approved, and an internal page that went live.
        await core.editing.create_page(
            owner,
            project.id,
            PageCreate(
                slug="secret/recipe",
                title="Secret recipe",
                content="The sourdough starter is fed with rye flour at midnight.",
            ),
        )
        await ready(
            core,
            owner,
            project.id,
            name,
            PageCreate(
                slug="staff/rota",
                title="Staff rota",
                audience="internal",
                content="The night baker starts the ovens at three in the morning.",
            ),
        )
        await publish_all(core, project.id, name)
    return project.id


async def ready(core: Core, who: Principal, project_id: str, name: str, page: PageCreate) -> None:
    saved = await core.editing.create_page(who, project_id, page)
    await core.pages.set_page_status(
        who, project_id, PageRef(path=saved.page.path), PageStatusUpdate(status="ready", project_name=name)
    )


async def standard_plan(core: Core, project_id: str) -> None:
    await core.plans.update_plan(Principal.system(), project_id, PlanUpdate(tier="standard"))


@pytest.fixture
async def voice(rest: Rest) -> Voice:
    world = rest.world
    project_id = await voice_project(rest.core, world.manager, NAME)
    await rest.core.members.add_member(
        world.manager, project_id, MemberAdd(email="viewer@example.com", role="viewer")
    )
    other = await voice_project(rest.core, world.outsider, "Other Voice", pages=False)
    return Voice(rest, project_id, other)
