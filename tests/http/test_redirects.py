"""Redirects never carry the request's Host header: a forged one must not choose where clients go."""

from __future__ import annotations

import httpx
import pytest
from starlette.requests import Request

from comstack_http.hosting import relative_redirect


@pytest.mark.parametrize(("path", "location"), [
    ("/healthz/", "/healthz"),
    ("/openapi.json/?x=1", "/openapi.json?x=1"),
    ("/oauth/register/", "/oauth/register"),
])
async def test_trailing_slash_redirects_are_paths(client: httpx.AsyncClient, path: str, location: str) -> None:
    response = await client.get(path, headers={"host": "evil.test"})
    assert response.status_code == 307 and response.headers["location"] == location


async def test_unknown_paths_stay_json_404s(client: httpx.AsyncClient) -> None:
    response = await client.get("/nowhere/", headers={"host": "evil.test"})
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_site_redirect_cannot_become_protocol_relative() -> None:
    request = Request({"type": "http", "method": "GET", "path": "//evil.test/docs", "query_string": b"",
                       "headers": [(b"host", b"evil.test")], "scheme": "http", "server": ("evil.test", 80)})
    assert relative_redirect(request).headers["location"] == "/evil.test/docs/"
