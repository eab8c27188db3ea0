"""Live pages with an ``mcp_resource`` block in resources/list, through the SDK's client over HTTP."""

from __future__ import annotations

import json

import pytest

from comstack_core.schemas import PageCreate

from ..core.test_support import make_live
from .conftest import READ_TOKEN, Seed
from .harness import LiveServer, bearer, key_headers, mcp_client

FIXED = {"comstack://guide", "comstack://schema", "comstack://publishing-guide", "comstack://lighthouse",
         "comstack://faq", "comstack://errors", "comstack://cookbook", "comstack://icons"}


async def page(seed: Seed, slug: str, *, live: bool = True, other: bool = False, **fields: object) -> None:
    world = seed.world
    who, pid = (world.outsider, world.other_project_id) if other else (world.editor, world.project_id)
    saved = await world.core.editing.create_page(who, pid, PageCreate.model_validate(
        {"slug": slug, "title": f"Page {slug}", "content": f"Body of {slug}.", **fields}))
    if live:
        await make_live(world.core, saved.page.path)


async def test_live_pages_with_the_block_are_named_resources(live: LiveServer, seed: Seed) -> None:
    pid = seed.project_id
    await page(seed, "pricing", description="What it costs.",
               metadata={"mcp_resource": {"name": "prices", "description": "Current prices in EUR."}})
    await page(seed, "guides/setup", description="Set up in five minutes.", metadata={"mcp_resource": {}})
    await page(seed, "guides/plain")
    await page(seed, "guides/draft", live=False, metadata={"mcp_resource": {"name": "draft"}})
    await page(seed, "theirs", other=True, metadata={"mcp_resource": {"name": "theirs"}})

    async with mcp_client(live.mcp_url, key_headers(seed.keys["viewer"], pid)) as client:
        resources = (await client.list_resources()).resources
        named = {str(r.uri): r for r in resources if str(r.uri) not in FIXED}
        assert set(named) == {f"comstack://projects/{pid}/pages/pricing",
                              f"comstack://projects/{pid}/pages/guides/setup"}
        prices = named[f"comstack://projects/{pid}/pages/pricing"]
        assert (prices.name, prices.title, prices.description, prices.mime_type) == (
            "prices", "Page pricing", "Current prices in EUR.", "text/markdown")
        setup = named[f"comstack://projects/{pid}/pages/guides/setup"]
        assert (setup.name, setup.title, setup.description) == (
            "guides/setup", "Page guides/setup", "Set up in five minutes.")
        for uri in named:
            content = (await client.read_resource(uri)).contents[0]
            assert content.mime_type == "text/markdown"
            assert content.text.startswith("# Page ")  # type: ignore[union-attr]
        assert "Body of pricing." in (await client.read_resource(str(prices.uri))).contents[0].text  # type: ignore[union-attr]


async def test_users_see_their_projects_pages_read_only_tokens_too(live: LiveServer, seed: Seed) -> None:
    await page(seed, "pricing", metadata={"mcp_resource": {"name": "prices"}})
    await page(seed, "theirs", other=True, metadata={"mcp_resource": {"name": "theirs"}})
    async with mcp_client(live.mcp_url, bearer(READ_TOKEN)) as client:
        names = {r.name for r in (await client.list_resources()).resources if str(r.uri) not in FIXED}
    assert names == {"prices"}


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"])
async def test_live_pages_with_the_block_are_named_resources_on_postgres(live: LiveServer, seed: Seed) -> None:
    await test_live_pages_with_the_block_are_named_resources(live, seed)


async def test_the_schema_resource_describes_the_block(live: LiveServer, seed: Seed) -> None:
    async with mcp_client(live.mcp_url, key_headers(seed.keys["viewer"], seed.project_id)) as client:
        schema = json.loads((await client.read_resource("comstack://schema")).contents[0].text)  # type: ignore[union-attr]
        guide = (await client.read_resource("comstack://guide")).contents[0].text  # type: ignore[union-attr]
    block = schema["reserved_metadata"]["mcp_resource"]
    assert block["type"] == "object" and block["additionalProperties"] is False
    assert {k: v["maxLength"] for k, v in block["properties"].items()} == {"name": 64, "title": 200,
                                                                          "description": 500}
    assert "mcp_resource" in guide and "report-feedback" in guide
