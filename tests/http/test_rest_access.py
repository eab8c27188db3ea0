"""Who may call what: keys of another project, the viewer/editor/manager matrix, read-only tokens."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from comstack_core.auth import SCOPE_READ
from comstack_core.ingest import CaptureRequest
from comstack_core.schemas import (
    DomainCreate,
    HeaderNavItemInput,
    KeyCreate,
    ModuleUpdate,
    PageCreate,
    PlanUpdate,
    SidebarGroupInput,
)
from comstack_core.usecases import Need
from comstack_http.routes import api_specs
from comstack_http.routes.spec import RouteSpec

from ..core.images.factory import encode, picture
from .conftest import Rest, TokenPrincipals

PROJECT_NAME = "Acme Docs"
GROUP = {"title": {"en": "Guides"}, "icon": "menu_book", "page_slugs": []}
ITEM = {"label": {"en": "Home"}, "target": "index"}
CUSTOM = {
    "project_name": PROJECT_NAME,
    "slug": "landing",
    "title": "Widgets for every team",
    "body": "<h1>Hi</h1>",
    "description": "Everything about our widgets on one page, with pricing and a demo you can try now.",
}

ARTICLE = (
    "<html><body><main><h1>How it works</h1><p>Open the sign-in page and choose Forgot password; we send "
    "a link that works for one hour.</p><p>Follow it and type a new password twice.</p></main></body></html>"
)
# A valid body for every route that takes one, so a refusal can only come from access checks.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", ""): {"name": PROJECT_NAME},
    ("DELETE", ""): {"project_name": PROJECT_NAME},
    ("PATCH", "/plan"): {"tier": "standard"},
    ("POST", "/members"): {"email": "outsider@example.com", "role": "viewer"},
    ("PATCH", "/members/{user_id}"): {"role": "viewer"},
    ("POST", "/domains"): {"hostname": "docs.acme.test"},
    ("PATCH", "/modules/{name}"): {"enabled": True},
    ("PATCH", "/settings"): {"site": {"description": "Docs"}},
    ("POST", "/keys"): {"name": "ci"},
    ("POST", "/docs"): {"slug": "fresh", "title": "Fresh page"},
    ("PATCH", "/docs/{path}"): {"base_version": 1, "content": "Changed"},
    ("PATCH", "/docs/{path}/status"): {"status": "ready", "project_name": PROJECT_NAME},
    ("PATCH", "/docs/{path}/visibility"): {"audience": "internal"},
    ("DELETE", "/docs/{path}"): {"project_name": PROJECT_NAME},
    ("POST", "/docs/{path}/revisions/{number}/restore"): {},
    ("POST", "/docs/edit/open"): {"slug": "guides/intro"},
    ("POST", "/docs/edit/save"): {"draft_id": "{path}", "base_version": 1, "content": "Changed"},
    ("POST", "/docs/edit/discard"): {"draft_id": "{path}"},
    ("POST", "/docs/edit/upload-custom-page"): CUSTOM,
    ("POST", "/sidebar-groups"): GROUP,
    ("POST", "/sidebar-groups/reorder"): {"ids": ["{group_id}"]},
    ("PUT", "/sidebar-groups/{group_id}"): GROUP,
    ("PATCH", "/sidebar-groups/{group_id}"): GROUP,
    ("POST", "/header-nav-items"): ITEM,
    ("POST", "/header-nav-items/reorder"): {"ids": ["{item_id}"]},
    ("PUT", "/header-nav-items/{item_id}"): ITEM,
    ("PATCH", "/header-nav-items/{item_id}"): ITEM,
    ("PUT", "/navigation"): {"header_nav_items": [ITEM]},
    ("PATCH", "/theme"): {"project_name": PROJECT_NAME, "dark_mode": "dark"},
    ("POST", "/project-template"): {"template_id": "business-voice"},
    ("PUT", "/templates"): {"doc_template_ids": ["docs", "faq"]},
    ("POST", "/publish"): {"project_name": PROJECT_NAME},
    ("POST", "/publish/confirm"): {"project_name": PROJECT_NAME, "confirmation_token": "0" * 64},
    ("POST", "/publish/{publish_id}/revert"): {"project_name": PROJECT_NAME},
    ("POST", "/translations/submit"): {"task_id": "tt_x", "title": "Traducido"},
    ("PATCH", "/images/{image_id}"): {"alt": "A chart"},
    ("DELETE", "/images/{image_id}"): {"project_name": PROJECT_NAME},
    ("PUT", "/git"): {"url": "https://example.com/acme/docs.git", "folder": "docs"},
    ("POST", "/git/pull"): {"project_name": PROJECT_NAME},
    ("POST", "/ingest/capture"): {"url": "https://example.com/help", "html": ARTICLE},
    ("POST", "/ingest/extract"): {"capture_id": "{capture_id}"},
    ("POST", "/ingest/save"): {"capture_id": "{capture_id}", "draft": {"title": "Help", "slug": "help", "content": "x"}},
}

# Required query parameters, for the same reason.
QUERIES: dict[tuple[str, str], str] = {("GET", "/docs/search"): "?q=widgets"}

# Routes whose success needs state the matrix does not build (an approved page, a token, a finished
# publish, a translation task): there the least role must get past the role check, whatever comes next.
NEEDS_STATE = {
    ("POST", "/publish"),
    ("POST", "/publish/confirm"),
    ("POST", "/publish/{publish_id}/revert"),
    ("POST", "/translations/submit"),
    # The image upload routes take raw bytes or tus headers, not the matrix's JSON bodies.
    ("POST", "/images"),
    ("OPTIONS", "/images/uploads"),
    ("POST", "/images/uploads"),
    ("PATCH", "/images/uploads/{upload_id}"),
    ("DELETE", "/images/uploads/{upload_id}"),
    ("HEAD", "/images/uploads/{upload_id}"),
    ("POST", "/import"),  # an archive, not JSON: the matrix sends none
    ("GET", "/git"),  # a connected repository
    ("POST", "/git/pull"),
    ("GET", "/live/sessions/{session_id}"),  # a recorded voice session
    ("POST", "/ingest/captures/{capture_id}/images"),  # image bytes, not JSON
}
RANKS = ["viewer", "editor", "manager", "admin"]
PREFIX = "/api/projects/{project_id}"
# Routes taking credentials; the push webhook proves itself with the project's webhook secret instead.
PROJECT_SPECS = [s for s in api_specs() if s.path.startswith(PREFIX) and s.auth]


def route_key(method: str, path: str) -> tuple[str, str]:
    return method, path.removeprefix(PREFIX)


def fill(template: Any, ids: dict[str, str]) -> Any:
    if isinstance(template, str):
        for name, value in ids.items():
            template = template.replace("{" + name + "}", value)
        return template
    if isinstance(template, dict):
        return {k: fill(v, ids) for k, v in template.items()}
    if isinstance(template, list):
        return [fill(v, ids) for v in template]
    return template


def _least(spec: RouteSpec) -> str | None:
    """The least role of the route's core use case ('admin' = platform admin), if above viewer."""
    assert spec.rule is not None
    if spec.rule.need is Need.platform_admin:
        return "admin"
    return spec.rule.need.value if spec.rule.need in (Need.editor, Need.manager) else None


# The least role each route needs beyond reading, from the core's declarations.
MIN_ROLE: dict[tuple[str, str], str] = {
    route_key(s.method, s.path): least for s in PROJECT_SPECS if (least := _least(s)) is not None
}


def test_every_write_route_is_in_the_matrix() -> None:
    writes = {route_key(s.method, s.path) for s in PROJECT_SPECS if s.method != "GET"}
    assert writes <= MIN_ROLE.keys()
    with_body = {route_key(s.method, s.path) for s in PROJECT_SPECS if s.body is not None}
    assert with_body <= BODIES.keys()


async def test_a_key_of_another_project_gets_403_and_no_data(rest: Rest) -> None:
    world = rest.world
    other_key = await rest.key("manager", world.other_project_id)
    ids = {
        "project_id": world.project_id,
        "path": "pg_x",
        "number": "1",
        "user_id": "usr_x",
        "domain_id": "dom_x",
        "key_id": "key_x",
        "name": "knowledge_base",
        "group_id": "grp_x",
        "item_id": "nav_x",
        "publish_id": "pub_x",
        "image_id": "img_x",
        "upload_id": "up_x",
        "capture_id": "cap_x",
    }
    for spec in PROJECT_SPECS:
        body = BODIES.get(route_key(spec.method, spec.path))
        url = fill(spec.path, ids) + QUERIES.get(route_key(spec.method, spec.path), "")
        response = await rest.call(
            spec.method, url, other_key, json=fill(body, ids) if body is not None else None
        )
        expected = (
            "platform_admin_only"
            if MIN_ROLE.get(route_key(spec.method, spec.path)) == "admin"
            else "project_mismatch"
        )
        assert response.status_code == 403, (spec.method, spec.path, response.text)
        if spec.method == "HEAD":
            continue  # an answer to HEAD has no body to read the code from
        assert response.json()["code"] == expected, (spec.method, spec.path)
        assert set(response.json()) == {"error", "code"} and PROJECT_NAME not in response.text
    # The same key naming the other project in x-project-id is refused before any route runs.
    mismatched = {**other_key, "x-project-id": world.project_id}
    response = await rest.call("GET", rest.p("/docs"), mismatched)
    assert response.status_code == 403 and response.json()["code"] == "project_mismatch"


async def seed(rest: Rest) -> dict[str, str]:
    """Real resources for every route of the matrix to succeed on, with standard-plan quotas."""
    core, world = rest.core, rest.world
    pid = world.project_id
    await core.plans.update_plan(world.admin, pid, PlanUpdate(tier="standard"))
    await core.modules.configure_module(world.manager, pid, "github_sync", ModuleUpdate(enabled=True))
    page = await core.editing.create_page(world.editor, pid, PageCreate(slug="guides/intro", title="Intro"))
    group = await core.navigation.create_sidebar_group(world.manager, pid, SidebarGroupInput(**GROUP))
    item = await core.navigation.create_header_item(world.manager, pid, HeaderNavItemInput(**ITEM))
    domain = await core.members.add_domain(world.manager, pid, DomainCreate(hostname="old.acme.test"))
    key = await core.keys.create_key(world.manager, pid, KeyCreate(name="old"))
    image = await core.images.store_image(world.editor, pid, encode(picture(8, 8), "PNG"))
    await core.modules.configure_module(world.manager, pid, "chrome_ingest", ModuleUpdate(enabled=True))
    capture = await core.ingest.capture(
        world.editor, pid, CaptureRequest(url="https://example.com/old", html=ARTICLE)
    )
    assert world.viewer.user_id is not None
    return {
        "project_id": pid,
        "path": page.page.path,
        "number": "1",
        "user_id": world.viewer.user_id,
        "domain_id": domain.id,
        "key_id": key.id,
        "name": "knowledge_base",
        "group_id": group.id,
        "item_id": item.id,
        "publish_id": "pub_x",
        "image_id": image.id,
        "upload_id": "up_x",
        "capture_id": capture.capture_id,
    }


async def successful_writes(rest: Rest) -> list[dict[str, Any]]:
    """The audit trail minus rejections (a refused custom-page upload is audited on purpose)."""
    entries = (await rest.call("GET", rest.p("/audit?limit=1000"))).json()
    return [e for e in entries if e["error_code"] is None]


@pytest.mark.parametrize("route", sorted(MIN_ROLE), ids=lambda r: f"{r[0]} {r[1] or '/'}")
async def test_role_matrix(rest: Rest, route: tuple[str, str]) -> None:
    ids = await seed(rest)
    method, suffix = route
    url = fill(PREFIX + suffix, ids)
    body = fill(BODIES.get(route), ids)
    need = MIN_ROLE[route]
    writes_before = await successful_writes(rest)
    for who in RANKS[: RANKS.index(need)]:
        refused = await rest.call(method, url, who, json=body)
        assert refused.status_code == 403, (who, refused.text)
        assert method == "HEAD" or refused.json()["code"] in ("role_too_low", "platform_admin_only")
    assert await successful_writes(rest) == writes_before
    allowed = await rest.call(method, url, need, json=body)
    if route in NEEDS_STATE:
        assert allowed.status_code != 403 and allowed.status_code < 500, allowed.text
    else:
        assert 200 <= allowed.status_code < 300, allowed.text


async def test_read_only_tokens_read_but_never_write(rest: Rest, tokens: TokenPrincipals) -> None:
    tokens.principals["reader-token"] = replace(rest.world.manager, scopes=frozenset({SCOPE_READ}))
    assert (await rest.call("GET", rest.p("/docs"), "reader")).status_code == 200
    refused = await rest.call("POST", rest.p("/docs"), "reader", json={"slug": "a", "title": "A"})
    assert refused.status_code == 403 and refused.json()["code"] == "read_only_scope"
    theme = await rest.call("PATCH", rest.p("/theme"), "reader", json={"project_name": PROJECT_NAME})
    assert theme.status_code == 403
