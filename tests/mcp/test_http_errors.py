"""What /mcp refuses, over a real server: every refusal is JSON, nothing streams forever, no tracebacks."""

from __future__ import annotations

import logging
from typing import Any

import httpx2
import pytest
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS, INVALID_REQUEST, PARSE_ERROR

from .conftest import Seed
from .harness import LiveServer, key_headers, mcp_client

ACCEPT = {"accept": "application/json, text/event-stream"}
PING = {"jsonrpc": "2.0", "id": 1, "method": "ping"}


async def post(live: LiveServer, seed: Seed, *, headers: dict[str, str] | None = None, **kwargs: Any) -> httpx2.Response:
    sent = {**key_headers(seed.keys["viewer"], seed.project_id), **ACCEPT, "content-type": "application/json",
            **(headers or {})}
    async with httpx2.AsyncClient(timeout=10) as http:
        return await http.post(live.mcp_url, headers=sent, **kwargs)


@pytest.mark.parametrize(("method", "path"), [("GET", "/mcp"), ("GET", "/mcp/"), ("DELETE", "/mcp"),
                                              ("PUT", "/mcp/")])
async def test_only_post_is_served_and_nothing_streams(live: LiveServer, seed: Seed, method: str, path: str) -> None:
    headers = {**key_headers(seed.keys["viewer"], seed.project_id), "accept": "text/event-stream"}
    async with httpx2.AsyncClient(timeout=5) as http:  # a stream that never ends would time out here
        response = await http.request(method, live.base_url + path, headers=headers)
    assert response.status_code == 405 and response.headers["allow"] == "POST"
    assert response.json()["code"] == "method_not_allowed" and "POST" in response.json()["error"]


@pytest.mark.parametrize(("headers", "status", "code"), [
    ({"origin": "https://evil.example"}, 403, "forbidden_origin"),
    ({"host": "evil.example"}, 421, "misdirected_request"),
    ({"content-type": "text/plain"}, 400, "unsupported_content_type"),
])
async def test_transport_refusals_are_json(live: LiveServer, seed: Seed, headers: dict[str, str], status: int,
                                           code: str) -> None:
    response = await post(live, seed, headers=headers, content=b'{"jsonrpc": "2.0", "id": 1, "method": "ping"}')
    assert response.status_code == status
    body = response.json()
    assert body["code"] == code and next(iter(headers.values())) in body["error"]


async def test_own_origin_is_accepted(live: LiveServer, seed: Seed) -> None:
    response = await post(live, seed, headers={"origin": live.base_url}, json=PING)
    assert response.status_code == 200 and response.json()["result"] == {}


@pytest.mark.parametrize(("body", "code", "words", "request_id"), [
    (b'[{"jsonrpc": "2.0", "id": 1, "method": "ping"}]', INVALID_REQUEST, "Batch requests are not supported", None),
    (b'{"jsonrpc": "2.0", "id": 7}', INVALID_REQUEST, '"method"', 7),
    (b'"ping"', INVALID_REQUEST, '"method"', None),
    (b'{"jsonrpc": "2.0",', PARSE_ERROR, "not valid JSON", None),
    # A key given twice is refused as on REST, at any depth, rather than the last one silently winning.
    (b'{"jsonrpc": "2.0", "id": 1, "id": 2, "method": "ping"}', PARSE_ERROR, "key 'id' twice", None),
    (b'{"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "list-pages", '
     b'"arguments": {"project_id": "a", "project_id": "b"}}}', PARSE_ERROR, "key 'project_id' twice", None),
    (b'{"jsonrpc": "2.0", "id": 4, "method": "ping", "params": {"x": NaN}}', PARSE_ERROR, "NaN", None),
])
async def test_malformed_messages_get_a_plain_json_rpc_error(live: LiveServer, seed: Seed, body: bytes, code: int,
                                                            words: str, request_id: int | None) -> None:
    response = await post(live, seed, headers={"content-type": "application/json"}, content=body)
    assert response.status_code == 400
    error = response.json()
    assert error["jsonrpc"] == "2.0" and error["id"] == request_id
    assert error["error"]["code"] == code and words in error["error"]["message"]
    assert "JSONRPCRequest" not in response.text and "union" not in response.text


async def test_unknown_prompt_is_invalid_params_without_a_traceback(
        live: LiveServer, seed: Seed, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    async with mcp_client(live.mcp_url, key_headers(seed.keys["viewer"], seed.project_id)) as client:
        with pytest.raises(MCPError) as refused:
            await client.get_prompt("nope")
    assert refused.value.error.code == INVALID_PARAMS and "Unknown prompt: nope" in refused.value.error.message
    assert not [record for record in caplog.records if record.exc_info]
