"""The error table and malformed input: every domain error class, bad bodies, unknown routes, 500s."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from comstack_core import errors
from comstack_core.schemas import PageCreate
from comstack_http.errors import exception_handlers
from comstack_http.routes.spec import Call, RouteSpec, to_route

from .conftest import Rest

ERRORS: list[tuple[errors.DomainError, int]] = [
    (errors.InvalidInput("bad", code="invalid_slug"), 400),
    (errors.LocaleConfigDrift(["default locale missing"]), 400),
    (errors.NameEchoMismatch("wrong name", expected="Acme", supplied="x"), 400),
    (errors.WrongTool("use upload-custom-page"), 400),
    (errors.Unauthenticated("sign in"), 401),
    (errors.Forbidden("role too low", code="role_too_low"), 403),
    (errors.ProjectMismatch("other project's key"), 403),
    (errors.ModuleDisabled("module off", module="api_keys"), 403),
    (errors.TrialExpired("trial ended"), 403),
    (errors.QuotaExceeded("quota", quota="max_keys", limit=3, used=3), 403),
    (errors.NotFound("nothing here"), 404),
    (errors.Conflict("exists"), 409),
    (errors.StaleVersion("stale", current_version=7), 409),
    (errors.PayloadTooLarge("too big", size=10, limit=5), 413),
    (errors.DailyQuotaExceeded("enough for today", retry_after=30), 429),
    (errors.RateLimited("slow down", retry_after=12.2), 429),
]


def raising_app(exc: BaseException) -> Starlette:
    async def boom(call: Call) -> None:
        raise exc

    async def plain(request: Request) -> Response:
        raise exc

    spec = RouteSpec("GET", "/boom", boom, "raise", "test", auth=False)
    return Starlette(routes=[to_route(spec), Route("/plain", plain)], exception_handlers=exception_handlers())


async def get(app: Starlette, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        return await client.get(path)


@pytest.mark.parametrize(
    ("error", "status"), ERRORS, ids=lambda v: type(v).__name__ if not isinstance(v, int) else ""
)
async def test_each_domain_error_has_its_status_and_body(error: errors.DomainError, status: int) -> None:
    for path in ("/boom", "/plain"):
        response = await get(raising_app(error), path)
        assert response.status_code == status
        assert response.json() == error.to_dict()
        assert {"error", "code"} <= response.json().keys()
    if status == 401:
        assert response.headers["www-authenticate"] == (
            'Bearer resource_metadata="http://testserver/.well-known/oauth-protected-resource/mcp"'
        )
    if status == 429:
        assert int(response.headers["retry-after"]) >= 12


async def test_unexpected_errors_are_500_with_a_reference_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.ERROR, logger="comstack.http")
    for path in ("/boom", "/plain"):
        caplog.clear()
        response = await get(raising_app(KeyError("secret-detail")), path)
        assert response.status_code == 500
        body = response.json()
        assert (
            body["code"] == "internal_error"
            and body["error"] == f"internal error, reference {body['reference']}"
        )
        assert "secret-detail" not in response.text and "Traceback" not in response.text
        logged = [r for r in caplog.records if body["reference"] in r.getMessage()]
        assert logged and logged[0].exc_info is not None and "secret-detail" in str(logged[0].exc_info[1])


async def test_a_handler_returning_the_wrong_type_is_a_500_not_drift() -> None:
    async def wrong(call: Call) -> Any:
        return {"not": "a page"}

    spec = RouteSpec("GET", "/wrong", wrong, "wrong", "test", auth=False, response=PageCreate)
    app = Starlette(routes=[to_route(spec)], exception_handlers=exception_handlers())
    response = await get(app, "/wrong")
    assert response.status_code == 500 and response.json()["code"] == "internal_error"


async def test_unknown_route_and_method_are_json(rest: Rest) -> None:
    missing = await rest.call("GET", "/api/nothing-here")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found" and "/api/nothing-here" in missing.json()["error"]
    wrong_method = await rest.call("PUT", "/api/projects")
    assert wrong_method.status_code == 405 and wrong_method.json()["code"] == "method_not_allowed"
    assert "GET" in wrong_method.headers["allow"]


async def test_unauthenticated_and_invalid_credentials(rest: Rest) -> None:
    anonymous = await rest.client.get("/api/projects")
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "unauthenticated"
    assert "resource_metadata=" in anonymous.headers["www-authenticate"]
    # 401 before any complaint about the body.
    anonymous_post = await rest.client.post(rest.p("/docs"), content=b"{not json")
    assert anonymous_post.status_code == 401
    bad_key = await rest.client.get("/api/projects", headers={"x-api-key": "cs_nope", "x-project-id": "x"})
    assert bad_key.status_code == 401 and bad_key.json()["code"] == "invalid_api_key"
    bad_token = await rest.call("GET", "/api/projects", "stranger")
    assert bad_token.status_code == 401 and bad_token.json()["code"] == "invalid_token"


async def test_projects_the_caller_cannot_see_are_404(rest: Rest) -> None:
    for who, project_id in (
        ("outsider", rest.world.project_id),
        ("manager", rest.world.other_project_id),
        ("manager", "prj_doesnotexist"),
    ):
        for suffix in ("", "/docs", "/members", "/theme", "/state"):
            response = await rest.call("GET", rest.p(suffix, project_id), who)
            assert response.status_code == 404, (who, suffix)
            assert response.json()["code"] == "project_not_found"
            assert "Acme" not in response.text and "Other Co" not in response.text


BAD_BODIES: list[tuple[str, bytes | dict[str, Any], str]] = [
    ("bad json", b'{"slug": "a", "title": ', "invalid_json"),
    ("json array", b'[{"slug": "a", "title": "A"}]', "invalid_body"),
    ("json string", b'"hello"', "invalid_body"),
    ("bad utf-8", b'{"slug": "a", "title": "\xff\xfe"}', "invalid_utf8"),
    ("latin-1", '{"slug": "a", "title": "Caf\xe9"}'.encode("latin-1"), "invalid_utf8"),
    ("NaN", b'{"slug": "a", "title": "A", "metadata": {"x": NaN}}', "invalid_json"),
    ("wrong type", {"slug": "a", "title": ["A"]}, "invalid_input"),
    ("wrong nested type", {"slug": "a", "title": "A", "metadata": "yes"}, "invalid_input"),
    ("unknown field", {"slug": "a", "title": "A", "titel": "B"}, "invalid_input"),
    ("missing field", {"slug": "a"}, "invalid_input"),
    ("bad enum", {"slug": "a", "title": "A", "audience": "everyone"}, "invalid_input"),
    ("uppercase slug", {"slug": "Guides/Intro", "title": "A"}, "invalid_slug"),
    ("dot-dot slug", {"slug": "guides/../etc", "title": "A"}, "invalid_slug"),
    ("encoded dot slug", {"slug": "%2e%2e/x", "title": "A"}, "invalid_slug"),
    ("trailing slash", {"slug": "guides/", "title": "A"}, "invalid_slug"),
    ("empty segment", {"slug": "guides//intro", "title": "A"}, "invalid_slug"),
    ("empty body", b"", "invalid_input"),
    (
        "deep nesting",
        b'{"slug": "a", "title": "A", "metadata": {"k": ' + b"[" * 100 + b"]" * 100 + b"}}",
        "invalid_json",
    ),
    ("parser-deep nesting", b'{"k": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "invalid_json"),
]


@pytest.mark.parametrize(
    ("body", "code"), [(b, c) for _, b, c in BAD_BODIES], ids=[n for n, _, _ in BAD_BODIES]
)
async def test_bad_input_is_400_and_writes_nothing(
    rest: Rest, body: bytes | dict[str, Any], code: str
) -> None:
    audit_before = len((await rest.call("GET", rest.p("/audit"))).json())
    kwargs: dict[str, Any] = {"json": body} if isinstance(body, dict) else {"content": body}
    response = await rest.call(
        "POST", rest.p("/docs"), "editor", headers={"content-type": "application/json"}, **kwargs
    )
    assert response.status_code == 400, response.text
    assert response.json()["code"] == code and response.json()["error"]
    assert (await rest.call("GET", rest.p("/docs"))).json()["total"] == 0
    assert len((await rest.call("GET", rest.p("/audit"))).json()) == audit_before


async def test_validation_errors_name_each_field(rest: Rest) -> None:
    response = await rest.call("POST", rest.p("/docs"), "editor", json={"title": 5, "limit": 1})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_input"
    assert {p["field"] for p in body["problems"]} == {"slug", "title", "limit"}
    assert (
        "slug: Field required" in body["error"] and "limit: Extra inputs are not permitted" in body["error"]
    )


async def test_query_strings_are_strict(rest: Rest) -> None:
    repeated = await rest.call("GET", rest.p("/docs?limit=1&limit=2"))
    assert repeated.status_code == 400 and repeated.json()["code"] == "invalid_query"
    undeclared = await rest.call("GET", rest.p("/members?role=editor"))
    assert undeclared.status_code == 400 and undeclared.json()["code"] == "invalid_query"
    wrong_type = await rest.call("GET", rest.p("/docs?limit=many"))
    assert wrong_type.status_code == 400 and "limit" in wrong_type.json()["error"]


async def test_trial_expiry_blocks_writes_not_reads(rest: Rest, clock: Any) -> None:
    clock.advance(days=15)
    write = await rest.call("POST", rest.p("/docs"), "editor", json={"slug": "a", "title": "A"})
    assert write.status_code == 403 and write.json()["code"] == "trial_expired"
    read = await rest.call("GET", rest.p("/docs"), "viewer")
    assert read.status_code == 200


async def test_custom_page_body_over_2mb_is_413(rest: Rest) -> None:
    body = {
        "project_name": "Acme Docs",
        "slug": "big",
        "title": "A very big page",
        "body": "x" * (2 * 1024 * 1024 + 1),
        "description": "A page that is far too large to be uploaded as a single custom page.",
    }
    response = await rest.call("POST", rest.p("/docs/edit/upload-custom-page"), "editor", json=body)
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large" and response.json()["error"]


async def test_oversized_body_is_413_without_an_internal_error(
    rest: Rest, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="comstack.http")
    too_big = b'{"slug": "a", "title": "A", "content": "' + b"x" * (1024 * 1024) + b'"}'

    # Streamed without a Content-Length, so the limit trips while the route is reading the body.
    async def chunks() -> AsyncIterator[bytes]:
        yield too_big[:1000]
        yield too_big[1000:]

    response = await rest.call("POST", rest.p("/docs"), "editor", content=chunks())
    assert response.status_code == 413 and {"error", "code"} <= response.json().keys()
    assert not [r for r in caplog.records if "internal error" in r.getMessage()]
    assert (await rest.call("GET", rest.p("/docs"))).json()["total"] == 0


async def test_integers_too_large_for_the_database_are_400(rest: Rest) -> None:
    page = (await rest.call("POST", rest.p("/docs"), "editor", json={"slug": "a", "title": "A"})).json()[
        "page"
    ]
    huge = 10**20
    restore = await rest.call("POST", rest.p(f"/docs/{page['path']}/revisions/{huge}/restore"), "editor")
    assert restore.status_code == 400 and restore.json()["code"] == "invalid_path"
    listed = await rest.call("GET", rest.p(f"/docs?offset={huge}"), "viewer")
    assert listed.status_code == 400 and "offset" in listed.json()["error"]


async def test_nul_characters_are_400_on_every_database(rest: Rest) -> None:
    created = await rest.call("POST", rest.p("/docs"), "editor", json={"slug": "a", "title": "A\u0000B"})
    assert created.status_code == 400 and "title contains a NUL character" in created.json()["error"]
    nested = await rest.call(
        "POST", rest.p("/docs"), "editor", json={"slug": "a", "title": "A", "metadata": {"k": ["\u0000"]}}
    )
    assert nested.status_code == 400 and "metadata.k.0" in nested.json()["error"]
    # Raw %00 in the query string and in a path segment (httpx refuses to send a literal NUL).
    for url in (rest.p("/docs?language=e%00n"), rest.p("/docs/pg%00x"), "/api/projects/prj%00x/docs"):
        response = await rest.call("GET", url, "editor")
        assert response.status_code == 400, (url, response.text)
    assert (await rest.call("GET", rest.p("/docs"))).json()["total"] == 0


async def test_lone_surrogates_in_free_form_metadata_are_400(rest: Rest) -> None:
    body = b'{"slug": "a", "title": "A", "metadata": {"note": "x\\ud800y"}}'
    response = await rest.call("POST", rest.p("/docs"), "editor", content=body)
    assert response.status_code == 400 and "metadata.note is not valid Unicode" in response.json()["error"]


async def test_a_missing_voice_page_asset_is_a_json_404(rest: Rest) -> None:
    missing = await rest.client.get("/live/assets/nothing.js")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert "its assets are" in missing.json()["error"]
