"""The reader's use cases over real publishes: only the served deployment answers, and it switches with it."""

from __future__ import annotations

import pytest

from comstack_core.errors import InvalidInput, NotFound
from comstack_core.reader.service import site_path
from comstack_core.reader.snippets import excerpt
from comstack_core.schemas import PageCreate, PageRef, PageUpdate, SettingsUpdate
from comstack_core.schemas.publishing import PublishRevert
from comstack_core.schemas.reader import ReaderPageListQuery, ReaderPageRef, ReaderSearchQuery

from ...conftest import World
from ..publishing.harness import add_ready_pages, publish_and_run

PAGES = [
    ("guides/intro", "Getting started", "# Intro\n\nThe quokka guide, version one.\n\n## Install\n\nRun the installer.\n"),
    ("faq/billing", "Billing questions", "Invoices are sent monthly.\n"),
]


@pytest.fixture
def backend() -> str:
    return "sqlite"


async def published(world: World) -> None:
    core = world.core
    await add_ready_pages(core, world.editor, world.project_id, world.project_name, PAGES)
    await add_ready_pages(core, world.editor, world.project_id, world.project_name,
                          [("team/secret", "Internal notes", "The quokka escalation list.")], audience="internal")
    status = await publish_and_run(core, world.manager, world.project_id, world.project_name)
    assert status.status == "succeeded", status.error


async def hits(world: World, query: str) -> list[str]:
    site = await world.core.reader.open_site(slug="acme-docs")
    result = await world.core.reader.search(site, ReaderSearchQuery(query=query))
    return [hit.url for hit in result.hits]


async def test_search_reads_the_served_build_only(world: World) -> None:
    core = world.core
    await published(world)
    # A draft with the same word, never published, and another project's page.
    await core.editing.create_page(world.editor, world.project_id, PageCreate(
        slug="drafts/new", title="Draft quokka page", description="Not yet.", content="quokka draft text"))
    assert await hits(world, "quokka") == ["http://testserver/sites/acme-docs/guides/intro/#intro"]
    site = await core.reader.open_site(slug="acme-docs")
    result = await core.reader.search(site, ReaderSearchQuery(query="installer"))
    [hit] = result.hits
    assert (hit.title, hit.heading, hit.url) == ("Getting started", "Install",
                                                  "http://testserver/sites/acme-docs/guides/intro/#install")
    assert "Run the installer." in hit.snippet
    # Asked again, the answer is the one the deployment kept (the same words in another form too).
    again = await core.reader.search(site, ReaderSearchQuery(query="INSTALLER!"))
    assert again.hits == result.hits and again.query == "INSTALLER!"
    live = await core.reader.builds.get(site.root)
    assert (site.base_url, "en", "installer", "5") in live.answers
    # Prefixes of three letters or more match longer words.
    assert await hits(world, "instal") == [hit.url]
    with pytest.raises(NotFound):
        await core.reader.get_page(site, ReaderPageRef(url="/drafts/new/"))
    with pytest.raises(NotFound):
        await core.reader.get_page(site, ReaderPageRef(url="team/secret"))
    with pytest.raises(NotFound):
        await core.reader.open_site(slug="other-co")  # never published
    with pytest.raises(InvalidInput):
        await core.reader.search(site, ReaderSearchQuery(query="x", locale="fr"))


async def test_get_page_and_list_pages(world: World) -> None:
    core = world.core
    await published(world)
    site = await core.reader.open_site(slug="acme-docs")
    for ref in ("http://testserver/sites/acme-docs/faq/billing/#x", "/sites/acme-docs/faq/billing.md",
                "faq/billing", "/faq/billing/"):
        page = await core.reader.get_page(site, ReaderPageRef(url=ref))
        assert page.title == "Billing questions" and "Invoices are sent monthly." in page.markdown
    assert page.url == "http://testserver/sites/acme-docs/faq/billing/"
    assert page.markdown_url == "http://testserver/sites/acme-docs/faq/billing.md"
    assert page.last_updated and len(page.last_updated) == 10 and page.alternates == []
    listed = await core.reader.list_pages(site, ReaderPageListQuery(limit=1))
    assert listed.total == 2 and listed.next_offset == 1 and len(listed.pages) == 1
    rest = await core.reader.list_pages(site, ReaderPageListQuery(offset=1))
    assert rest.next_offset is None
    assert {p.url for p in [*listed.pages, *rest.pages]} == {
        "http://testserver/sites/acme-docs/faq/billing/", "http://testserver/sites/acme-docs/guides/intro/"}
    llms = await core.reader.llms_txt(site)
    assert "faq/billing.md" in llms and "secret" not in llms


async def test_answers_switch_with_publish_and_revert(world: World) -> None:
    core = world.core
    await published(world)
    assert await hits(world, "quokka")
    page = await core.pages.get_page(world.editor, world.project_id, PageRef(slug="guides/intro"))
    await core.editing.update_page(world.editor, world.project_id, PageRef(slug="guides/intro"), PageUpdate(
        base_version=page.version, content="# Intro\n\nThe wombat guide, version two.\n"))
    assert await hits(world, "quokka")  # an unpublished edit changes nothing
    await add_ready_pages(core, world.editor, world.project_id, world.project_name, [])
    from comstack_core.schemas import PageStatusUpdate
    await core.pages.set_page_status(world.editor, world.project_id, PageRef(slug="guides/intro"),
                                     PageStatusUpdate(status="ready", project_name=world.project_name))
    second = await publish_and_run(core, world.manager, world.project_id, world.project_name)
    assert second.status == "succeeded", second.error
    assert await hits(world, "wombat") and not await hits(world, "quokka")
    await core.publishing.revert_publish(world.manager, world.project_id, second.publish_id,
                                         PublishRevert(project_name=world.project_name))
    assert await hits(world, "quokka") and not await hits(world, "wombat")


async def test_the_project_can_turn_it_off(world: World) -> None:
    core = world.core
    await published(world)
    await core.project_settings.update_settings(world.manager, world.project_id,
                                                SettingsUpdate(site={"reader_mcp": False}))
    with pytest.raises(NotFound) as off:
        await core.reader.open_site(slug="acme-docs")
    assert off.value.code == "reader_mcp_off"
    with pytest.raises(InvalidInput):
        await core.project_settings.update_settings(world.manager, world.project_id,
                                                    SettingsUpdate(site={"reader_mcp": "no"}))
    await core.project_settings.update_settings(world.manager, world.project_id,
                                                SettingsUpdate(site={"reader_mcp": True}))
    assert await hits(world, "quokka")


def test_site_paths() -> None:
    bases = ("https://docs.acme.com/", "http://testserver/sites/acme-docs/")
    cases = {
        "https://docs.acme.com/guides/intro/#install": "guides/intro/",
        "http://testserver/sites/acme-docs/es/index.md": "es/",
        "/sites/acme-docs/guides/intro.md": "guides/intro/",
        "guides/intro": "guides/intro/",
        "/": "",
        "index.html": "",
        "../etc/passwd": None,
        "/guides/.hidden/": None,
    }
    for url, path in cases.items():
        assert site_path(url, *bases) == path, url


def test_excerpt_centres_on_the_words() -> None:
    text = "# T\n\n" + "filler " * 80 + "the **quokka** lives here " + "more " * 80
    snippet = excerpt(text, ["quokka"], None)
    assert excerpt("# A\n\nquokka one\n\n## B *b*\n\nquokka two\n", ["quokka"], "B b") == "B b quokka two"
    assert "quokka lives here" in snippet and snippet.startswith("…") and snippet.endswith("…")
    assert len(snippet) <= 245


async def test_pages_point_at_the_sites_mcp_server(world: World) -> None:
    from urllib.parse import unquote, urljoin

    from selectolax.lexbor import LexborHTMLParser

    core = world.core
    await published(world)
    site = await core.reader.open_site(slug="acme-docs")
    page = LexborHTMLParser((site.root / "guides/intro/index.html").read_text())
    link = page.css_first('head link[rel="mcp"]')
    assert link is not None
    assert urljoin("http://testserver/sites/acme-docs/guides/intro/", link.attrs["href"] or "") == site.mcp_url
    commands = [b.attrs.get("data-cmd") for b in page.css(".cs-actions .cs-copy-cmd")]
    assert commands == ["claude mcp add --transport http acme-docs http://testserver/sites/acme-docs/mcp",
                        "http://testserver/sites/acme-docs/mcp"]
    cursor = next(a.attrs["href"] or "" for a in page.css(".cs-actions a") if "cursor" in (a.attrs["href"] or ""))
    assert cursor.startswith("cursor://anysphere.cursor-deeplink/mcp/install?name=acme-docs&config=")
    import base64
    import json
    config = json.loads(base64.b64decode(unquote(cursor.split("config=", 1)[1])))
    assert config == {"url": "http://testserver/sites/acme-docs/mcp"}

    # Turned off, the next publish leaves the pointers out.
    await core.project_settings.update_settings(world.manager, world.project_id,
                                                SettingsUpdate(site={"reader_mcp": False}))
    await add_ready_pages(core, world.editor, world.project_id, world.project_name, [("faq/more", "More", "More.")])
    status = await publish_and_run(core, world.manager, world.project_id, world.project_name)
    assert status.status == "succeeded", status.error
    from comstack_core.publishing import deploy
    root = deploy.served_dir(core.settings.sites_dir, world.project_id)
    assert root is not None
    html = (root / "guides/intro/index.html").read_text()
    assert 'rel="mcp"' not in html and "cs-copy-cmd" not in html


async def test_languages_and_alternates(world: World) -> None:
    core = world.core
    await core.project_settings.update_settings(world.manager, world.project_id,
                                                SettingsUpdate(knowledge_locales=["en", "es"], custom_page_locales=["en", "es"]))
    await add_ready_pages(core, world.editor, world.project_id, world.project_name, [PAGES[0]])
    await add_ready_pages(core, world.editor, world.project_id, world.project_name,
                          [("guides/intro", "Primeros pasos", "# Intro\n\nLa guía del quokka.\n")], language="es")
    status = await publish_and_run(core, world.manager, world.project_id, world.project_name)
    assert status.status == "succeeded", status.error
    site = await core.reader.open_site(slug="acme-docs")
    spanish = await core.reader.search(site, ReaderSearchQuery(query="guía", locale="es-ES"))
    assert spanish.locale == "es" and [h.url for h in spanish.hits] == [
        "http://testserver/sites/acme-docs/es/guides/intro/#intro"]
    assert not (await core.reader.search(site, ReaderSearchQuery(query="guía"))).hits  # English by default
    page = await core.reader.get_page(site, ReaderPageRef(url="/guides/intro/"))
    assert [(a.locale, a.url) for a in page.alternates] == [
        ("es", "http://testserver/sites/acme-docs/es/guides/intro/")]
    listed = await core.reader.list_pages(site, ReaderPageListQuery(locale="es"))
    assert [p.title for p in listed.pages] == ["Primeros pasos"]
