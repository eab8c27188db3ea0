"""End to end: the mcp SDK's own OAuth client against a running server, given only the /mcp URL.

The SDK client meets the 401, discovers the protected-resource and authorization-server metadata,
registers, sends the user to /oauth/authorize with PKCE; the "browser" (FormClient) signs in and
allows; the client exchanges the code, lists and calls tools, and refreshes when its token expires.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import httpx2
from mcp import Client
from mcp.client.auth import OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import (
    AuthorizationCodeResult,
    OAuthClientInformationFull,
    OAuthClientMetadata,
    OAuthToken,
)
from mcp_types import CallToolResult
from pydantic import AnyUrl

from ...http.oauth.conftest import REDIRECT, FormClient, Live, Person, bearer, query


class MemoryStorage:
    """The SDK's ``TokenStorage``, kept in memory so the test can look at what the client holds."""

    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client_info: OAuthClientInformationFull | None = None
        self.history: list[OAuthToken] = []

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens
        self.history.append(tokens)

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client_info

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client_info = client_info


def text(result: CallToolResult) -> str:
    return "".join(getattr(block, "text", "") for block in result.content)


def data(result: CallToolResult) -> Any:
    assert not result.is_error, text(result)
    return json.loads(text(result))


async def test_sdk_client_discovers_registers_signs_in_and_refreshes(live: Live, ada: Person) -> None:
    storage = MemoryStorage()
    asked: list[str] = []
    async with httpx.AsyncClient(timeout=30) as browser_http:
        browser = FormClient(browser_http, base=live.base_url)

        async def redirect_handler(url: str) -> None:
            asked.append(url)

        async def callback_handler() -> AuthorizationCodeResult:
            answer = await browser.approve(asked[-1], ada)
            return AuthorizationCodeResult(code=answer["code"], state=answer.get("state"), iss=answer.get("iss"))

        provider = OAuthClientProvider(
            server_url=live.mcp_url,
            client_metadata=OAuthClientMetadata(client_name="ComStack e2e", redirect_uris=[AnyUrl(REDIRECT)],
                                                token_endpoint_auth_method="none"),
            storage=storage, redirect_handler=redirect_handler, callback_handler=callback_handler)
        async with httpx2.AsyncClient(auth=provider, timeout=30) as http, \
                Client(streamable_http_client(live.mcp_url, http_client=http)) as mcp:
            names = {tool.name for tool in (await mcp.list_tools()).tools}
            assert {"whoami", "list-my-projects", "create-project"} <= names
            me = data(await mcp.call_tool("whoami", {}))
            # The SDK asks for every scope the resource metadata lists; full access includes reading.
            assert me["user"]["email"] == ada.email and me["scopes"] == ["comstack", "comstack:read"]

            # Discovery went from the 401 to our documents, and registration made a public client.
            context = provider.context
            assert context.protected_resource_metadata is not None
            assert str(context.protected_resource_metadata.resource) == live.mcp_url
            assert context.oauth_metadata is not None and str(context.oauth_metadata.issuer) == live.base_url
            assert storage.client_info is not None and storage.client_info.client_secret is None
            asked_for = query(asked[0])
            assert len(asked) == 1 and asked_for["code_challenge_method"] == "S256"
            assert asked_for["resource"] == live.mcp_url  # RFC 8707: the token is for this server's /mcp

            # An hour later the access token is dead on the server, and the client knows it has expired.
            first = storage.tokens
            assert first is not None and first.refresh_token
            live.clock.advance(minutes=61)
            stale = await browser_http.get(f"{live.base_url}/api/accounts/me", headers=bearer(first.access_token))
            assert stale.status_code == 401
            context.token_expiry_time = time.time() - 1
            created = data(await mcp.call_tool("create-project", {"name": "Refreshed Co"}))
            assert created["name"] == "Refreshed Co"
            second = storage.tokens
            assert second is not None and second.refresh_token not in (None, first.refresh_token)
            assert second.access_token != first.access_token
            assert len(asked) == 1  # refreshed, not signed in again


async def test_read_scope_token_over_mcp(live: Live, ada: Person) -> None:
    async with httpx.AsyncClient(timeout=30) as browser_http:
        _, tokens = await FormClient(browser_http, base=live.base_url).tokens(ada, scope="comstack:read")
    headers = bearer(tokens["access_token"])
    async with httpx2.AsyncClient(headers=headers, timeout=30) as http, \
            Client(streamable_http_client(live.mcp_url, http_client=http)) as mcp:
        names = {tool.name for tool in (await mcp.list_tools()).tools}
        assert "whoami" in names and "list-my-projects" in names
        assert "create-project" not in names and "create-page" not in names
        assert data(await mcp.call_tool("whoami", {}))["scopes"] == ["comstack:read"]
        refused = await mcp.call_tool("create-project", {"name": "Sneaky"})
        assert refused.is_error and "read-only" in text(refused)
        assert data(await mcp.call_tool("list-my-projects", {}))["projects"] == []  # nothing was created


async def test_expired_token_on_mcp_gets_the_discovery_challenge(live: Live, ada: Person) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        _, tokens = await FormClient(http, base=live.base_url).tokens(ada)
        live.clock.advance(hours=2)
        response = await http.post(live.mcp_url + "/", headers={**bearer(tokens["access_token"]),
                                                                 "accept": "application/json, text/event-stream"},
                                   json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == (
        f'Bearer resource_metadata="{live.base_url}/.well-known/oauth-protected-resource/mcp"')
