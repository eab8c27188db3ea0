"""The MCP door over real HTTP, driven by the SDK's streamable HTTP client."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS, INVALID_REQUEST, CallToolResult, ResourceTemplateReference

from comstack_core.schemas import PageCreate

from .conftest import ADMIN_TOKEN, EDITOR_TOKEN, READ_TOKEN, Seed
from .harness import LiveServer, bearer, key_headers, mcp_client

ALWAYS = {"whoami", "list-my-projects", "get-guide"}
FEEDBACK = {"report-feedback"}  # a write every full-scope caller sees, viewers included
READS = ALWAYS | {"get-project-state", "get-page-content", "list-pages", "search-docs",
                  "list-project-doc-templates", "list-page-revisions", "get-navigation", "publish-status",
                  "list-publish-history", "list-images"}
EDITOR_READS = {"list-translation-tasks", "list-ingested-drafts"}
MANAGER_READS = {"list-voice-sessions", "get-voice-session"}
EDITOR_WRITES = {"create-page", "update-page", "upload-custom-page", "set-page-status", "restore-page-revision",
                 "discard-draft", "submit-translation", "upload-image", "ingest-html", "save-ingested-draft"}
MANAGER_WRITES = {"delete-page", "update-navigation", "update-theme", "publish", "publish-confirm",
                  "revert-publish", "connect-github", "pull-and-publish", "delete-image"}
ADMIN_TOOLS = {"create-doc-template", "update-doc-template", "delete-doc-template", "create-project-template",
               "update-project-template", "delete-project-template", "assign-project-template"}


def text(result: CallToolResult) -> str:
    return "".join(getattr(block, "text", "") for block in result.content)


def data(result: CallToolResult) -> Any:
    assert not result.is_error, text(result)
    return json.loads(text(result))


async def tool_names(url: str, headers: dict[str, str]) -> set[str]:
    async with mcp_client(url, headers) as client:
        return {tool.name for tool in (await client.list_tools()).tools}


async def test_tools_list_is_filtered_per_role(live: LiveServer, seed: Seed) -> None:
    pid = seed.project_id
    viewer = await tool_names(live.mcp_url, key_headers(seed.keys["viewer"], pid))
    editor = await tool_names(live.mcp_url, key_headers(seed.keys["editor"], pid))
    manager = await tool_names(live.mcp_url, key_headers(seed.keys["manager"], pid))
    assert viewer == READS | FEEDBACK
    assert editor == READS | EDITOR_READS | EDITOR_WRITES | FEEDBACK
    assert manager == READS | EDITOR_READS | EDITOR_WRITES | MANAGER_READS | MANAGER_WRITES | FEEDBACK
    # Keys never see account-level or platform-admin tools.
    assert not (manager & ({"create-project"} | ADMIN_TOOLS))


async def test_tools_list_for_read_only_scope_and_users(live: LiveServer, seed: Seed) -> None:
    read_only = await tool_names(live.mcp_url, bearer(READ_TOKEN))
    assert read_only == READS | EDITOR_READS | MANAGER_READS  # a manager, but the token only has comstack:read
    editor_user = await tool_names(live.mcp_url, bearer(EDITOR_TOKEN))
    assert editor_user == READS | EDITOR_READS | EDITOR_WRITES | FEEDBACK | {"create-project"}
    admin = await tool_names(live.mcp_url, bearer(ADMIN_TOKEN))
    assert admin == (READS | EDITOR_READS | EDITOR_WRITES | MANAGER_READS | MANAGER_WRITES | ADMIN_TOOLS | FEEDBACK
                     | {"create-project"})


async def test_create_update_approve_loop(live: LiveServer, seed: Seed) -> None:
    pid, name = seed.project_id, seed.world.project_name
    async with mcp_client(live.mcp_url, key_headers(seed.keys["editor"], pid)) as client:
        state = data(await client.call_tool("get-project-state", {"project_id": pid}))
        assert state["name"] == name and state["role"] == "editor"
        created = data(await client.call_tool("create-page", {
            "project_id": pid, "slug": "guides/intro", "title": "Getting started with widgets",
            "description": "How to set up your first widget in five minutes, from unboxing to first use.",
            "content": "## Unbox\n\nOpen the box.",
        }))
        page = created["page"]
        assert page["status"] == "draft" and page["next_action"] == "approve" and created["changed"]
        read = data(await client.call_tool("get-page-content", {"project_id": pid, "slug": "guides/intro"}))
        updated = data(await client.call_tool("update-page", {
            "project_id": pid, "path": read["path"], "base_version": read["version"],
            "content": "## Unbox\n\nOpen the box carefully.",
        }))
        assert updated["changed"] and updated["page"]["content"].endswith("carefully.")
        approved = data(await client.call_tool("set-page-status", {
            "project_id": pid, "slug": "guides/intro", "status": "ready", "project_name": name.upper(),
        }))
        assert approved["status"] == "ready" and approved["next_action"] == "publish"
        found = data(await client.call_tool("search-docs", {
            "project_id": pid, "query": "carefully", "include_drafts": True}))
        assert [hit["slug"] for hit in found["hits"]] == ["guides/intro"]
    # Viewers read drafts (SPEC §2), so they may search them, as over REST.
    async with mcp_client(live.mcp_url, key_headers(seed.keys["viewer"], pid)) as client:
        found = data(await client.call_tool("search-docs", {
            "project_id": pid, "query": "carefully", "include_drafts": True}))
        assert [hit["slug"] for hit in found["hits"]] == ["guides/intro"]
    async with mcp_client(live.mcp_url, key_headers(seed.keys["editor"], pid)) as client:
        state = data(await client.call_tool("get-project-state", {"project_id": pid}))
        assert [p["slug"] for p in state["pages_by_status"]["ready"]] == ["guides/intro"]
    audit = await seed.world.core.projects.list_audit(seed.world.manager, pid)
    assert {"mcp"} == {entry.door for entry in audit if entry.action.startswith("page.")}


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"])
async def test_create_update_approve_loop_on_postgres(live: LiveServer, seed: Seed) -> None:
    await test_create_update_approve_loop(live, seed)


async def test_name_echo_refusal_names_both_names(live: LiveServer, seed: Seed) -> None:
    pid = seed.project_id
    await seed.world.core.editing.create_page(seed.world.editor, pid, PageCreate(slug="faq/a", title="A question"))
    async with mcp_client(live.mcp_url, key_headers(seed.keys["manager"], pid)) as client:
        result = await client.call_tool("delete-page", {
            "project_id": pid, "slug": "faq/a", "project_name": "Acme Docz"})
    assert result.is_error
    assert "'Acme Docs'" in text(result) and "'Acme Docz'" in text(result)
    assert "code: project_name_mismatch" in text(result)
    assert result.structured_content == {
        "error": result.structured_content["error"], "code": "project_name_mismatch",
        "expected": "Acme Docs", "supplied": "Acme Docz"}


async def test_key_used_on_another_project_is_invalid_request(live: LiveServer, seed: Seed) -> None:
    async with mcp_client(live.mcp_url, key_headers(seed.keys["manager"], seed.project_id)) as client:
        with pytest.raises(MCPError) as raised:
            await client.call_tool("get-project-state", {"project_id": seed.world.other_project_id})
    assert raised.value.code == INVALID_REQUEST
    assert seed.project_id in raised.value.message


async def test_domain_error_is_an_actionable_tool_error(live: LiveServer, seed: Seed) -> None:
    async with mcp_client(live.mcp_url, key_headers(seed.keys["viewer"], seed.project_id)) as client:
        result = await client.call_tool("create-page", {
            "project_id": seed.project_id, "slug": "x", "title": "Viewer tries"})
        assert result.is_error
        assert "needs the editor role" in text(result) and "code: role_too_low" in text(result)
        assert "next step:" in text(result)
        missing = await client.call_tool("get-page-content", {"project_id": seed.project_id, "slug": "nope"})
        assert missing.is_error and "code: page_not_found" in text(missing) and "list-pages" in text(missing)


async def test_invalid_arguments_list_each_field(live: LiveServer, seed: Seed) -> None:
    async with mcp_client(live.mcp_url, key_headers(seed.keys["editor"], seed.project_id)) as client:
        result = await client.call_tool("create-page", {"project_id": seed.project_id, "slug": 5, "titel": "x"})
        assert result.is_error
        body = text(result)
        assert "Invalid arguments for create-page" in body
        assert "- slug:" in body and "- title: Field required" in body and "- titel:" in body
        no_handle = await client.call_tool("get-page-content", {"project_id": seed.project_id})
        assert no_handle.is_error and "address the page by 'path'" in text(no_handle)
        with pytest.raises(MCPError) as raised:
            await client.call_tool("no-such-tool", {})
        assert raised.value.code == INVALID_PARAMS


async def test_read_only_token_cannot_write_even_when_calling_hidden_tools(live: LiveServer, seed: Seed) -> None:
    async with mcp_client(live.mcp_url, bearer(READ_TOKEN)) as client:
        result = await client.call_tool("create-page", {
            "project_id": seed.project_id, "slug": "x", "title": "Read-only tries"})
    assert result.is_error and "code: read_only_scope" in text(result)


async def test_unauthenticated_requests_get_401_with_resource_metadata(live: LiveServer, bare: LiveServer) -> None:
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    async with httpx2.AsyncClient() as http:
        for url in (live.base_url + "/mcp/", bare.base_url + "/mcp", bare.base_url + "/mcp/"):
            response = await http.post(url, json=body, headers={"accept": "application/json, text/event-stream"})
            assert response.status_code == 401, url
            assert response.headers["www-authenticate"] == (
                'Bearer resource_metadata="http://testserver/.well-known/oauth-protected-resource/mcp"')
            assert response.json()["code"] == "unauthenticated"


async def test_post_mcp_without_trailing_slash_and_legacy_handshake(bare: LiveServer, seed: Seed) -> None:
    headers = {**key_headers(seed.keys["viewer"], seed.project_id), "accept": "application/json, text/event-stream"}
    initialize = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}}
    async with httpx2.AsyncClient() as http:
        response = await http.post(bare.mcp_url, json=initialize, headers=headers)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/json")
        result = response.json()["result"]
        assert result["serverInfo"]["name"] == "comstack" and "get-project-state" in result["instructions"]
        assert "mcp-session-id" not in response.headers  # stateless
    async with mcp_client(bare.mcp_url, key_headers(seed.keys["viewer"], seed.project_id), mode="legacy") as client:
        assert "whoami" in {tool.name for tool in (await client.list_tools()).tools}


async def test_foreign_host_header_is_refused(live: LiveServer, seed: Seed) -> None:
    headers = {**key_headers(seed.keys["viewer"], seed.project_id), "host": "evil.example",
               "accept": "application/json, text/event-stream"}
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    async with httpx2.AsyncClient() as http:
        response = await http.post(live.mcp_url + "/", json=body, headers=headers)
    assert response.status_code == 421


async def test_resources(live: LiveServer, seed: Seed) -> None:
    async with mcp_client(live.mcp_url, key_headers(seed.keys["viewer"], seed.project_id)) as client:
        listed = {str(r.uri) for r in (await client.list_resources()).resources}
        assert listed == {"comstack://guide", "comstack://schema", "comstack://publishing-guide",
                          "comstack://lighthouse", "comstack://faq", "comstack://errors", "comstack://cookbook",
                          "comstack://icons"}
        templates = (await client.list_resource_templates()).resource_templates
        assert [t.uri_template for t in templates] == ["comstack://projects/{project_id}/pages/{+slug}"]
        guide = (await client.read_resource("comstack://guide")).contents[0]
        assert "## The standard loop" in guide.text  # type: ignore[union-attr]
        schema = json.loads((await client.read_resource("comstack://schema")).contents[0].text)  # type: ignore[union-attr]
        blog = next(t for t in schema["doc_templates"] if t["id"] == "blog")
        assert {"author", "published"} <= {f["name"] for f in blog["fields"] if f["required"]}
        icons = (await client.read_resource("comstack://icons")).contents[0].text  # type: ignore[union-attr]
        assert "menu_book" in icons.splitlines()
        errors = (await client.read_resource("comstack://errors")).contents[0].text  # type: ignore[union-attr]
        assert "`stale_version`" in errors
        with pytest.raises(MCPError) as raised:  # nothing is published yet
            await client.read_resource(f"comstack://projects/{seed.project_id}/pages/guides/intro")
        assert raised.value.code == INVALID_PARAMS and "page_not_found" in raised.value.message


async def test_get_guide_tool(live: LiveServer, seed: Seed) -> None:
    async with mcp_client(live.mcp_url, key_headers(seed.keys["viewer"], seed.project_id)) as client:
        guide = await client.call_tool("get-guide", {})
        assert not guide.is_error and text(guide).startswith("# ComStack guide")
        errors = await client.call_tool("get-guide", {"topic": "errors"})
        assert "`project_name_mismatch`" in text(errors)


async def test_completion_of_the_page_template(live: LiveServer, seed: Seed) -> None:
    pid = seed.project_id
    for slug in ("guides/intro", "guides/setup", "pricing-notes"):
        await seed.world.core.editing.create_page(seed.world.editor, pid, PageCreate(slug=slug, title=slug))
    ref = ResourceTemplateReference(type="ref/resource", uri="comstack://projects/{project_id}/pages/{+slug}")
    async with mcp_client(live.mcp_url, key_headers(seed.keys["viewer"], pid)) as client:
        projects = await client.complete(ref, {"name": "project_id", "value": "prj"})
        assert projects.completion.values == [pid]
        slugs = await client.complete(ref, {"name": "slug", "value": "guides/"}, context_arguments={"project_id": pid})
        assert slugs.completion.values == ["guides/intro", "guides/setup"]
        with pytest.raises(MCPError) as raised:  # the key's project only
            await client.complete(ref, {"name": "slug", "value": ""},
                                  context_arguments={"project_id": seed.world.other_project_id})
        assert raised.value.code == INVALID_REQUEST
