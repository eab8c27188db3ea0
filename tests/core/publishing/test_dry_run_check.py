"""The dry run predicts the gate: it builds the site the publish would deploy and runs the same pre-deploy
check on it, lists every problem and issues no token while one remains (header and sidebar links to pages
that will not be live, links in pages, missing images, two pages on one URL)."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import update

from comstack_core import Core
from comstack_core.models import Page
from comstack_core.schemas import (
    HeaderNavItemInput,
    PageCreate,
    PageRef,
    PageStatusUpdate,
    SettingsUpdate,
    SidebarGroupInput,
)

from .conftest import Pub
from .harness import add_ready_pages, publish_and_run

PAGES = [
    ("guides/intro", "Getting started", "# Intro\n\nHello.\n"),
    ("guides/setup", "Setting things up", "# Setup\n\nRead the [intro](/guides/intro).\n"),
]


async def dry_run(client: httpx.AsyncClient, pub: Pub) -> httpx.Response:
    return await client.post(pub.url("/publish"), headers=pub.headers, json={"project_name": pub.name})


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_navigation_to_pages_that_will_not_be_live_blocks_the_token(
    client: httpx.AsyncClient, pub: Pub
) -> None:
    core, manager, pid = pub.core, pub.world.manager, pub.project_id
    await add_ready_pages(core, pub.world.editor, pid, pub.name, PAGES)
    # Drafts that are not approved will not be live: navigation pointing at them breaks the site.
    await core.editing.create_page(
        pub.world.editor, pid, PageCreate(slug="guides/later", title="Not approved yet")
    )
    await core.navigation.create_header_item(
        manager, pid, HeaderNavItemInput(label={"en": "Later"}, target="guides/later")
    )
    await core.navigation.create_sidebar_group(
        manager,
        pid,
        SidebarGroupInput(
            title={"en": "Guides"}, icon="menu_book", page_slugs=["guides/intro", "guides/missing"]
        ),
    )
    refused = await dry_run(client, pub)
    assert refused.status_code == 409, refused.text
    body = refused.json()
    assert body["code"] == "site_check_failed" and "confirmation_token" not in body
    problems = body["problems"]
    assert any("guides/later" in p for p in problems), problems
    # A sidebar entry for a page that does not exist is left out by the builder: no broken link.
    assert not any("guides/missing" in p for p in problems), problems
    assert all(p in body["error"] for p in problems)  # every problem is in the message too
    # Nothing was written: no token, no publish.
    history = (await client.get(pub.url("/publish/history"), headers=pub.headers)).json()
    assert history == []

    # Approving the page the header points at and dropping the missing one from the sidebar clears it.
    await core.pages.set_page_status(
        pub.world.editor,
        pid,
        PageRef(slug="guides/later"),
        PageStatusUpdate(status="ready", project_name=pub.name),
    )
    groups = (await core.navigation.get_navigation(manager, pid)).sidebar_groups
    await core.navigation.update_sidebar_group(
        manager,
        pid,
        groups[0].id,
        SidebarGroupInput(
            title={"en": "Guides"}, icon="menu_book", page_slugs=["guides/intro", "guides/later"]
        ),
    )
    ok = await dry_run(client, pub)
    assert ok.status_code == 200, ok.text
    assert len(ok.json()["confirmation_token"]) == 64
    done = await publish_and_run(core, manager, pid, pub.name)
    assert done.status == "succeeded", done.error


async def test_links_and_images_in_pages_and_pages_going_away(client: httpx.AsyncClient, pub: Pub) -> None:
    core, manager, pid = pub.core, pub.world.manager, pub.project_id
    await add_ready_pages(core, pub.world.editor, pid, pub.name, PAGES)
    assert (await publish_and_run(core, manager, pid, pub.name)).status == "succeeded"

    # Taking a page down that another live page links to would break that link.
    await core.pages.set_page_status(
        manager,
        pid,
        PageRef(slug="guides/intro"),
        PageStatusUpdate(status="unpublished", project_name=pub.name),
    )
    await add_ready_pages(
        core,
        pub.world.editor,
        pid,
        pub.name,
        [("guides/pictures", "Pictures of things", "![A chart](../../assets/chart.png)\n")],
    )
    refused = await dry_run(client, pub)
    assert refused.status_code == 409, refused.text
    problems = refused.json()["problems"]
    assert any("guides/intro" in p for p in problems), problems
    assert any("chart.png" in p for p in problems), problems


async def test_two_pages_on_one_url_are_reported_not_an_internal_error(
    client: httpx.AsyncClient, pub: Pub
) -> None:
    """Pages stored before the URL rule: the dry run names the collision; a job that meets one anyway fails
    saying so."""
    core, manager, pid = pub.core, pub.world.manager, pub.project_id
    await core.project_settings.update_settings(
        manager,
        pid,
        SettingsUpdate(knowledge_locales=["en", "es"], custom_page_locales=["en", "es"]),
    )
    await add_ready_pages(
        core, pub.world.editor, pid, pub.name, [("precios", "Precios", "Hola.")], language="es"
    )
    await add_ready_pages(core, pub.world.editor, pid, pub.name, [("es/precioz", "Prices", "Hello.")])
    async with core.db.write() as session:
        await session.exec(update(Page).where(Page.slug == "es/precioz").values(slug="es/precios"))
    refused = await dry_run(client, pub)
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "site_check_failed"
    assert "'es/precios' (en)" in refused.json()["error"] and "/es/precios/" in refused.json()["error"]

    unchecked = core.settings.model_copy(update={"publish_check_plan": False})
    async with Core.open(unchecked, clock=pub.clock) as other:
        failed = await publish_and_run(other, manager, pid, pub.name)
    assert failed.status == "failed"
    assert failed.error and "SiteBuildError" not in failed.error and "/es/precios/" in failed.error
