"""Discovery (RFC 8414, RFC 9728), the 401 that starts it, and dynamic registration (RFC 7591)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .conftest import REDIRECT, FormClient


async def test_authorization_server_metadata(client: httpx.AsyncClient) -> None:
    meta = (await client.get("/.well-known/oauth-authorization-server")).json()
    assert meta["issuer"] == "http://testserver"
    assert meta["authorization_endpoint"] == "http://testserver/oauth/authorize"
    assert meta["token_endpoint"] == "http://testserver/oauth/token"
    assert meta["registration_endpoint"] == "http://testserver/oauth/register"
    assert meta["revocation_endpoint"] == "http://testserver/oauth/revoke"
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["scopes_supported"] == ["comstack", "comstack:read"]
    assert meta["grant_types_supported"] == ["authorization_code", "refresh_token"]
    assert meta["token_endpoint_auth_methods_supported"] == ["none"]
    assert meta["response_types_supported"] == ["code"]


@pytest.mark.parametrize("path, resource", [
    ("/.well-known/oauth-protected-resource", "http://testserver"),
    ("/.well-known/oauth-protected-resource/mcp", "http://testserver/mcp"),
])
async def test_protected_resource_metadata(client: httpx.AsyncClient, path: str, resource: str) -> None:
    meta = (await client.get(path)).json()
    assert meta["resource"] == resource
    assert meta["authorization_servers"] == ["http://testserver"]
    assert meta["scopes_supported"] == ["comstack", "comstack:read"]
    assert meta["bearer_methods_supported"] == ["header"]


async def test_401_from_mcp_points_at_the_resource_metadata(client: httpx.AsyncClient) -> None:
    response = await client.post("/mcp/", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                                 headers={"accept": "application/json, text/event-stream"})
    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert challenge == 'Bearer resource_metadata="http://testserver/.well-known/oauth-protected-resource/mcp"'
    assert (await client.get("/.well-known/oauth-protected-resource/mcp")).status_code == 200


async def test_discovery_allows_browser_clients(client: httpx.AsyncClient) -> None:
    response = await client.get("/.well-known/oauth-authorization-server", headers={"origin": "https://x.example"})
    assert response.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize("uri", [
    "https://claude.ai/api/mcp/auth_callback",
    "http://127.0.0.1:33418/callback",
    "http://localhost/callback",
    "http://[::1]:5000/cb",
])
async def test_register_accepts_https_and_loopback(oauth: FormClient, uri: str) -> None:
    response = await oauth.register([uri], token_endpoint_auth_method="none")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["redirect_uris"] == [uri] and body["client_id"]
    assert body["token_endpoint_auth_method"] == "none"
    assert "client_secret" not in body


async def test_register_makes_every_client_public(oauth: FormClient) -> None:
    # An omitted method (or a secret-based one) is registered as a public PKCE client, never with a secret.
    extras: list[dict[str, str]] = [{}, {"token_endpoint_auth_method": "client_secret_post"}]
    for extra in extras:
        body = (await oauth.register(None, **extra)).json()
        assert body["token_endpoint_auth_method"] == "none" and "client_secret" not in body


@pytest.mark.parametrize("uri", [
    "http://example.com/callback",  # plain http off loopback
    "http://192.168.1.5/callback",
    "ftp://example.com/callback",
    "cursor://anysphere.cursor/oauth",  # private-use scheme, not enabled by the operator
    "https://example.com/cb#fragment",
    "javascript:alert(1)",
])
async def test_register_refuses_other_redirect_uris(oauth: FormClient, uri: str) -> None:
    response = await oauth.register([uri])
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_redirect_uri", response.text


async def test_register_refuses_unknown_scopes(oauth: FormClient) -> None:
    response = await oauth.register(scope="comstack admin")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client_metadata"


async def test_register_refuses_a_redirect_uri_with_a_user_part(oauth: FormClient) -> None:
    response = await oauth.register(["https://claude.ai@evil.test/cb"])
    assert response.status_code == 400 and response.json()["error"] == "invalid_redirect_uri"
    assert "user part" in response.json()["error_description"]


@pytest.mark.parametrize(("body", "status", "error"), [
    ({"client_name": "x" * 1_000_000}, 413, "payload_too_large"),  # over the body limit: never parsed
    ({"redirect_uris": [f"https://app.example/{i}" for i in range(20_000)]}, 413, "payload_too_large"),
    ({"client_name": "x" * 101}, 400, "invalid_client_metadata"),
    ({"redirect_uris": [f"https://app.example/{i}" for i in range(11)]}, 400, "invalid_redirect_uri"),
    ({"redirect_uris": ["https://app.example/" + "a" * 2000]}, 400, "invalid_redirect_uri"),
])
async def test_register_is_bounded(oauth: FormClient, body: dict[str, Any], status: int, error: str) -> None:
    response = await oauth.http.post("/oauth/register", json={"redirect_uris": [REDIRECT], **body})
    assert response.status_code == status, response.text
    payload = response.json()
    assert (payload.get("code") if status == 413 else payload["error"]) == error
    assert "x" * 200 not in response.text  # nothing echoed back
