"""A published site's public MCP server, with the SDK's client against a real server: it reads only what the
live site shows, switches with publish and revert, can be turned off, and is limited per client and site."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from comstack_core import Principal, Settings
from comstack_core.schemas import (
    DomainCreate,
    PageCreate,
    PageRef,
    PageStatusUpdate,
    PageUpdate,
    SettingsUpdate,
)
from comstack_core.schemas.publishing import PublishRevert

from ..conftest import World
from ..core.publishing.harness import add_ready_pages, publish_and_run
from .harness import FixedTokens, LiveServer, build_app, mcp_client, serve

INTRO = ("guides/intro", "Getting started", "# Intro\n\nThe quokka guide, version one.\n\n## Install\n\nRun it.\n")


@pytest.fixture
def reader_settings(server_settings: Settings) -> Settings:
    return server_settings.model_copy(update={"rate_limit_reader_mcp": 100_000})


@pytest.fixture
def site(reader_settings: Settings) -> Iterator[LiveServer]:
    with serve(build_app(reader_settings, FixedTokens({}))) as server:
        yield server


def data(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content[0].text
    assert json.loads(result.content[0].text) == result.structured_content
    return dict(result.structured_content)


async def publish(world: World, who: Principal, project_id: str, name: str) -> str:
    status = await publish_and_run(world.core, who, project_id, name)
    assert status.status == "succeeded", status.error
    return status.publish_id


async def acme_site(world: World) -> None:
    core = world.core
    await add_ready_pages(core, world.editor, world.project_id, world.project_name,
                          [INTRO, ("faq/billing", "Billing", "Invoices are sent monthly.")])
    await add_ready_pages(core, world.editor, world.project_id, world.project_name,
                          [("team/notes", "Internal notes", "The quokka escalation list.")], audience="internal")
    await publish(world, world.manager, world.project_id, world.project_name)
    await core.editing.create_page(world.editor, world.project_id, PageCreate(
        slug="drafts/next", title="Next quokka", description="Not yet.", content="A quokka draft."))


async def search(url: str, query: str) -> list[str]:
    async with mcp_client(url, {}) as client:
        return [hit["url"] for hit in data(await client.call_tool("search", {"query": query}))["hits"]]


async def test_search_finds_only_the_live_site(world: World, site: LiveServer) -> None:
    await acme_site(world)
    # Another project's site with the same words.
    await add_ready_pages(world.core, world.outsider, world.other_project_id, "Other Co",
                          [("quokka", "Quokka facts", "Every quokka fact.")])
    await publish(world, world.outsider, world.other_project_id, "Other Co")
    acme = site.base_url + "/sites/acme-docs/mcp"
    assert await search(acme, "quokka") == ["http://testserver/sites/acme-docs/guides/intro/#intro"]
    assert await search(site.base_url + "/sites/other-co/mcp", "quokka") == ["http://testserver/sites/other-co/quokka/"]
    async with mcp_client(acme, {}) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        assert set(tools) == {"search", "get-page", "list-pages"}
        for tool in tools.values():
            assert tool.annotations is not None and tool.annotations.read_only_hint is True
            assert tool.annotations.destructive_hint is False and tool.output_schema
            assert "Acme Docs" in (tool.description or "")
        draft = await client.call_tool("get-page", {"url": "/drafts/next/"})
        assert draft.is_error and "code: page_not_found" in draft.content[0].text
        internal = await client.call_tool("get-page", {"url": "http://testserver/sites/acme-docs/team/notes/"})
        assert internal.is_error
        page = data(await client.call_tool("get-page", {"url": "http://testserver/sites/acme-docs/guides/intro/#intro"}))
        assert page["title"] == "Getting started" and "quokka guide, version one" in page["markdown"]
        assert page["markdown_url"] == "http://testserver/sites/acme-docs/guides/intro.md"
        listed = data(await client.call_tool("list-pages", {}))
        assert [p["url"].rsplit("/sites/acme-docs/", 1)[1] for p in listed["pages"]] == ["faq/billing/", "guides/intro/"]
        bad = await client.call_tool("search", {"query": ""})
        assert bad.is_error and "invalid_arguments" in bad.content[0].text
        resources = {str(r.uri) for r in (await client.list_resources()).resources}
        assert resources == {"http://testserver/sites/acme-docs/llms.txt", "http://testserver/sites/acme-docs/faq/billing/",
                             "http://testserver/sites/acme-docs/guides/intro/"}
        llms = await client.read_resource("http://testserver/sites/acme-docs/llms.txt")
        assert "guides/intro.md" in llms.contents[0].text  # type: ignore[union-attr]
        intro = await client.read_resource("http://testserver/sites/acme-docs/guides/intro/")
        assert "quokka guide" in intro.contents[0].text  # type: ignore[union-attr]


async def test_answers_switch_with_publish_and_revert(world: World, site: LiveServer) -> None:
    await acme_site(world)
    core, url = world.core, site.base_url + "/sites/acme-docs/mcp"
    page = await core.pages.get_page(world.editor, world.project_id, PageRef(slug="guides/intro"))
    await core.editing.update_page(world.editor, world.project_id, PageRef(slug="guides/intro"), PageUpdate(
        base_version=page.version, content="# Intro\n\nThe wombat guide, version two.\n"))
    await core.pages.set_page_status(world.editor, world.project_id, PageRef(slug="guides/intro"),
                                     PageStatusUpdate(status="ready", project_name=world.project_name))
    assert await search(url, "quokka") and not await search(url, "wombat")  # approved is not live
    second = await publish(world, world.manager, world.project_id, world.project_name)
    assert await search(url, "wombat") and not await search(url, "quokka")
    await core.publishing.revert_publish(world.manager, world.project_id, second,
                                         PublishRevert(project_name=world.project_name))
    assert await search(url, "quokka") and not await search(url, "wombat")


async def test_the_project_can_turn_it_off(world: World, site: LiveServer) -> None:
    await acme_site(world)
    url = site.base_url + "/sites/acme-docs/mcp"
    await world.core.project_settings.update_settings(world.manager, world.project_id,
                                                      SettingsUpdate(site={"reader_mcp": False}))
    async with httpx.AsyncClient() as http:
        answer = await http.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
                                 headers={"accept": "application/json, text/event-stream"})
        assert answer.status_code == 404 and answer.json()["code"] == "reader_mcp_off"
        card = await http.get(site.base_url + "/sites/acme-docs/.well-known/mcp")
        assert card.status_code == 404
        missing = await http.post(site.base_url + "/sites/nobody/mcp", json={"jsonrpc": "2.0", "id": 1,
                                                                             "method": "ping"})
        assert missing.status_code == 404 and missing.json()["code"] == "site_not_found"
    await world.core.project_settings.update_settings(world.manager, world.project_id,
                                                      SettingsUpdate(site={"reader_mcp": True}))
    assert await search(url, "quokka")


async def test_custom_domain_discovery_and_methods(world: World, site: LiveServer) -> None:
    await acme_site(world)
    core = world.core
    await core.members.add_domain(world.manager, world.project_id, DomainCreate(hostname="docs.acme.example"))
    await core.members.verify_domain(Principal.system(), world.project_id, "docs.acme.example")
    host = {"host": "docs.acme.example", "accept": "application/json, text/event-stream"}
    call = {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": "search", "arguments": {"query": "quokka"}}}
    async with httpx.AsyncClient(base_url=site.base_url) as http:
        found = (await http.post("/mcp", json=call, headers=host)).json()
        assert [h["url"] for h in found["result"]["structuredContent"]["hits"]] == [
            "https://docs.acme.example/guides/intro/#intro"]
        for path in ("/.well-known/mcp", "/.well-known/mcp.json"):
            document = (await http.get(path, headers=host)).json()
            assert document["url"] == "https://docs.acme.example/mcp"
            assert document["servers"][0]["authentication"] == "none"
        card = await http.get("/.well-known/mcp/server-card.json", headers=host)
        assert card.headers["access-control-allow-origin"] == "*"
        assert card.json()["remotes"] == [{"type": "streamable-http", "url": "https://docs.acme.example/mcp"}]
        assert {t["name"] for t in card.json()["tools"]} == {"search", "get-page", "list-pages"}
        by_slug = (await http.get("/sites/acme-docs/.well-known/mcp")).json()
        assert by_slug["url"] == "http://testserver/sites/acme-docs/mcp"
        got = await http.get("/sites/acme-docs/mcp")
        assert got.status_code == 405 and got.json()["code"] == "method_not_allowed"
        # DNS-rebinding protection: another site's page may not call it through a reader's browser.
        ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
        foreign = await http.post("/sites/acme-docs/mcp", json=ping, headers={"origin": "https://evil.example"})
        assert foreign.status_code == 403 and foreign.json()["code"] == "forbidden_origin"
        own = await http.post("/mcp", json=ping, headers={**host, "origin": "https://docs.acme.example"})
        assert own.status_code == 200
        crossed = await http.post("/mcp", json=ping, headers={**host, "origin": "http://127.0.0.1"})
        assert crossed.status_code == 403
        wrong = await http.post("/sites/acme-docs/mcp", content=b"x", headers={"content-type": "text/plain"})
        assert wrong.status_code == 400 and wrong.json()["code"] == "unsupported_content_type"


async def test_rate_limit_per_client_and_site(world: World, server_settings: Settings) -> None:
    await acme_site(world)
    limited = server_settings.model_copy(update={"rate_limit_reader_mcp": 3})
    ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    headers = {"accept": "application/json, text/event-stream"}
    with serve(build_app(limited, FixedTokens({}))) as server:
        async with httpx.AsyncClient(base_url=server.base_url) as http:
            codes = [(await http.post("/sites/acme-docs/mcp", json=ping, headers=headers)).status_code
                     for _ in range(4)]
            assert codes == [200, 200, 200, 429]
            # Another site's allowance is its own.
            other = await http.post("/sites/other-co/mcp", json=ping, headers=headers)
            assert other.status_code == 404
