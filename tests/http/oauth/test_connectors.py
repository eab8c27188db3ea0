"""``/api/account/connectors/claude/{status,config}``: the signed-in user's MCP connection and setup."""

from __future__ import annotations

import httpx

from comstack_core import Core
from comstack_core.schemas import KeyCreate, ProjectCreate

from .conftest import FormClient, Person, bearer

STATUS = "/api/account/connectors/claude/status"
CONFIG = "/api/account/connectors/claude/config"


async def test_status_after_connecting(oauth: FormClient, client: httpx.AsyncClient, ada: Person) -> None:
    _, tokens = await oauth.tokens(ada)
    response = await client.get(STATUS, headers=bearer(tokens["access_token"]))
    assert response.status_code == 200, response.text
    status = response.json()
    assert status["connected"] is True and status["client_name"] == "Test Client" and status["last_used_at"]
    assert len(status["connections"]) == 1 and status["connections"][0]["scopes"] == ["comstack"]


async def test_status_after_disconnecting(oauth: FormClient, client: httpx.AsyncClient, ada: Person) -> None:
    first_client, first = await oauth.tokens(ada)
    _, second = await oauth.tokens(ada)
    await oauth.http.post("/oauth/revoke", data={"token": first["refresh_token"], "client_id": first_client})
    status = (await client.get(STATUS, headers=bearer(second["access_token"]))).json()
    assert status["connected"] is True and len(status["connections"]) == 1


async def test_status_is_for_people_not_keys(core: Core, client: httpx.AsyncClient, ada: Person) -> None:
    project = await core.projects.create_project(ada.principal, ProjectCreate(name="Acme"))
    key = await core.keys.create_key(ada.principal, project.id, KeyCreate(name="ci", role="manager"))
    refused = await client.get(STATUS, headers={"x-api-key": key.key, "x-project-id": project.id})
    assert refused.status_code == 403 and refused.json()["code"] == "user_only"
    assert (await client.get(STATUS)).status_code == 401


async def test_config_is_ready_to_paste(oauth: FormClient, client: httpx.AsyncClient, ada: Person) -> None:
    _, tokens = await oauth.tokens(ada, scope="comstack:read")
    config = (await client.get(CONFIG, headers=bearer(tokens["access_token"]))).json()
    url = "http://testserver/mcp"
    assert config["mcp_url"] == url
    assert set(config["clients"]) == {"claude", "claude_code", "cursor", "chatgpt"}
    assert config["clients"]["claude_code"]["command"] == f"claude mcp add --transport http comstack {url}"
    assert config["clients"]["cursor"]["config"] == {"mcpServers": {"comstack": {"url": url}}}
    assert config["clients"]["claude"]["config"]["url"] == url
