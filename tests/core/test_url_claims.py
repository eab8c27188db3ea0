"""One public URL, one page: a default-locale page ``es/precios`` and an ``es`` page ``precios`` are both
``/es/precios/``. The second is refused when created (knowledge, custom or translated), and when approved;
the builder names both pages when it meets a collision anyway, and a publish says so instead of failing as
an internal error."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from comstack_core.errors import Conflict
from comstack_core.models import Page
from comstack_core.schemas import CustomPageUpload, PageCreate, PageRef, PageStatusUpdate, SettingsUpdate
from comstack_core.site.urls import claimants, prefixes_for

from ..conftest import World
from .test_support import LONG_DESCRIPTION


async def spanish(world: World) -> None:
    await world.core.project_settings.update_settings(
        world.manager,
        world.project_id,
        SettingsUpdate(knowledge_locales=["en", "es"], custom_page_locales=["en", "es"]),
    )


async def create(world: World, slug: str, language: str | None = None) -> str:
    saved = await world.core.editing.create_page(
        world.editor, world.project_id, PageCreate(slug=slug, language=language, title="Precios y planes")
    )
    return saved.page.path


def test_claimants_follow_the_site_url_rules() -> None:
    prefixes = prefixes_for("en", {"en", "es"})
    assert ("en", "es/precios", False) in claimants(prefixes, "es", "precios", custom=False)
    assert ("es", "precios", False) in claimants(prefixes, "en", "es/precios", custom=False)
    assert ("es", "index", False) in claimants(prefixes, "en", "es", custom=True)
    # The Markdown copy of a default-locale 'es/index' is the Spanish home's copy: a clash of copies only.
    assert ("es", "index", True) in claimants(prefixes, "en", "es/index", custom=False)
    assert not claimants(prefixes, "en", "guides/intro", custom=False)
    assert not claimants(prefixes_for("en", {"en"}), "en", "es/precios", custom=False)


@pytest.mark.parametrize("first", ["default", "spanish"])
async def test_a_second_page_on_one_url_is_refused_naming_the_first(world: World, first: str) -> None:
    await spanish(world)
    claims = [("es/precios", None), ("precios", "es")]
    if first == "spanish":
        claims.reverse()
    (slug, language), (other_slug, other_language) = claims
    path = await create(world, slug, language)
    with pytest.raises(Conflict) as refused:
        await create(world, other_slug, other_language)
    assert refused.value.code == "url_taken"
    assert refused.value.details["path"] == path and refused.value.details["url"] == "/es/precios/"
    assert f"{slug!r}" in refused.value.message and "/es/precios/" in refused.value.message
    pages = await world.core.pages.list_pages(world.viewer, world.project_id)
    assert [(p.slug, p.language) for p in pages.pages] == [(slug, language or "en")]


async def test_custom_pages_and_homes_are_checked_too(world: World) -> None:
    await spanish(world)
    home = await create(world, "index", "es")
    with pytest.raises(Conflict) as refused:
        await world.core.custom_pages.upload_custom_page(
            world.editor,
            world.project_id,
            CustomPageUpload(
                project_name=world.project_name,
                slug="es",
                title="Spanish landing page",
                description=LONG_DESCRIPTION,
                body="<h1>Hola</h1>",
            ),
        )
    assert refused.value.code == "url_taken" and refused.value.details["path"] == home
    # A custom page has no Markdown copy, so it may sit where only a copy would clash.
    await world.core.custom_pages.upload_custom_page(
        world.editor,
        world.project_id,
        CustomPageUpload(
            project_name=world.project_name,
            slug="es/index",
            title="Spanish index page",
            description=LONG_DESCRIPTION,
            body="<h1>Índice</h1>",
        ),
    )
    with pytest.raises(Conflict):  # but a knowledge page there writes es/index.md, the home's copy
        await create(world, "es/index")


async def test_approving_a_page_that_shares_a_url_is_refused(world: World) -> None:
    """Pages stored before the rule existed: approval refuses the second, naming the first."""
    await spanish(world)
    spanish_path = await create(world, "precios", "es")
    other = await create(world, "es/precioz")
    async with world.core.db.write() as session:
        await session.exec(update(Page).where(Page.id == other).values(slug="es/precios"))
    with pytest.raises(Conflict) as refused:
        await world.core.pages.set_page_status(
            world.editor,
            world.project_id,
            PageRef(path=other),
            PageStatusUpdate(status="ready", project_name=world.project_name),
        )
    assert refused.value.code == "url_taken" and refused.value.details["path"] == spanish_path
    page = await world.core.pages.get_page(world.editor, world.project_id, PageRef(path=other))
    assert page.status == "draft"
