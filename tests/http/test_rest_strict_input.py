"""Bad input that used to be quietly accepted is refused with a clear 400 (or, for an empty PATCH, changes
nothing and writes no audit row): duplicate JSON keys, numbers as booleans, 'https://' as a header link, an
IP address or localhost as a custom domain, a sidebar label in a locale the project does not use, an
oversized site setting, and a custom page that refreshes to a javascript: or data: URL."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlmodel import col, select

from comstack_core.models import AuditEntry
from comstack_core.schemas import CustomPageUpload, SettingsUpdate

from ..conftest import World
from ..core.test_support import LONG_DESCRIPTION
from .conftest import Rest


async def audit_count(rest: Rest) -> int:
    return len(await rest.core.projects.list_audit(rest.world.manager, rest.world.project_id))


def refused(response: httpx.Response, *words: str) -> dict[str, Any]:
    assert response.status_code == 400, response.text
    body: dict[str, Any] = response.json()
    assert body["code"] and all(w in body["error"] for w in words), body
    return body


async def test_a_key_given_twice_is_refused(rest: Rest) -> None:
    raw = b'{"slug": "a", "slug": "b", "title": "Twice"}'
    answer = await rest.call(
        "POST", rest.p("/docs"), "editor", content=raw, headers={"content-type": "application/json"}
    )
    refused(answer, "'slug' twice")
    nested = b'{"slug": "a", "title": "T", "metadata": {"k": 1, "k": 2}}'
    answer = await rest.call(
        "POST", rest.p("/docs"), "editor", content=nested, headers={"content-type": "application/json"}
    )
    refused(answer, "'k' twice")
    assert (await rest.core.pages.list_pages(rest.world.viewer, rest.world.project_id)).total == 0


@pytest.mark.parametrize("value", [0, 1, "yes", "true", 1.0])
async def test_booleans_are_true_or_false(rest: Rest, value: Any) -> None:
    before = await audit_count(rest)
    answer = await rest.call("PATCH", rest.p("/modules/custom_pages"), json={"enabled": value})
    refused(answer, "enabled must be true or false")
    assert await audit_count(rest) == before
    # A query string spells them 'true' and 'false'; other spellings are refused there too.
    ok = await rest.call("GET", rest.p("/docs/search?q=word&include_drafts=true"), "viewer")
    assert ok.status_code == 200, ok.text
    refused(
        await rest.call("GET", rest.p("/docs/search?q=word&include_drafts=1"), "viewer"), "include_drafts"
    )


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("PATCH", "", {}),
        ("PATCH", "", {"name": "Acme Docs"}),  # the same name: nothing changes either
        ("PATCH", "/settings", {}),
        ("PATCH", "/modules/knowledge_base", {}),
        ("PATCH", "/theme", {"project_name": "Acme Docs"}),
    ],
)
async def test_an_empty_patch_writes_nothing(
    rest: Rest, method: str, suffix: str, body: dict[str, Any]
) -> None:
    before = await audit_count(rest)
    answer = await rest.call(method, rest.p(suffix), json=body)
    assert answer.status_code == 200, answer.text
    assert await audit_count(rest) == before
    # The role is still checked: a viewer's empty PATCH is refused, not a silent success.
    assert (await rest.call(method, rest.p(suffix), "viewer", json=body)).status_code == 403


async def test_empty_template_patches_write_nothing(rest: Rest) -> None:
    async def template_audit() -> int:
        async with rest.core.db.read() as session:
            rows = await session.exec(
                select(AuditEntry).where(col(AuditEntry.action).like("%template.update"))
            )
            return len(list(rows))

    for route in ("/api/templates/doc/docs", "/api/templates/project/knowledge-site"):
        answer = await rest.call("PATCH", route, "admin", json={})
        assert answer.status_code == 200, answer.text
    assert await template_audit() == 0


@pytest.mark.parametrize(
    "target", ["https://", "https:///pricing", "https://exa mple.com/", "https://localhost:x/"]
)
async def test_header_links_need_a_whole_https_url(rest: Rest, target: str) -> None:
    answer = await rest.call(
        "POST", rest.p("/header-nav-items"), json={"label": {"en": "Pricing"}, "target": target}
    )
    refused(answer, "https://")
    theme = await rest.call("PATCH", rest.p("/theme"), json={"project_name": "Acme Docs", "logo_url": target})
    assert theme.status_code == 400, theme.text
    ok = await rest.call(
        "POST",
        rest.p("/header-nav-items"),
        json={"label": {"en": "Pricing"}, "target": "https://example.com/pricing"},
    )
    assert ok.status_code in (200, 201), ok.text


@pytest.mark.parametrize(
    ("hostname", "why"),
    [
        ("127.0.0.1", "IP address"),
        ("10.1.2.3", "IP address"),
        ("localhost", "not a valid hostname"),
        ("docs.localhost", "localhost"),
        ("1.2.3.4.", "IP address"),
    ],
)
async def test_custom_domains_are_public_names(rest: Rest, hostname: str, why: str) -> None:
    refused(await rest.call("POST", rest.p("/domains"), json={"hostname": hostname}), why)
    ok = await rest.call("POST", rest.p("/domains"), json={"hostname": "docs.example.com"})
    assert ok.status_code in (200, 201), ok.text


async def test_navigation_labels_only_in_the_projects_locales(rest: Rest) -> None:
    group = {"title": {"en": "Guides", "fr": "Guides FR"}, "icon": "menu_book", "page_slugs": []}
    refused(await rest.call("POST", rest.p("/sidebar-groups"), json=group), "'Guides FR'", "fr")
    item = {"label": {"en": "Pricing", "de": "Preise"}, "target": "pricing"}
    refused(await rest.call("POST", rest.p("/header-nav-items"), json=item), "de")
    await rest.core.project_settings.update_settings(
        rest.world.manager,
        rest.world.project_id,
        SettingsUpdate(knowledge_locales=["en", "fr"], custom_page_locales=["en", "fr"]),
    )
    ok = await rest.call("POST", rest.p("/sidebar-groups"), json=group)
    assert ok.status_code in (200, 201), ok.text


async def test_site_settings_are_bounded(rest: Rest) -> None:
    big = {"site": {"description": "x" * 900_000}}
    refused(await rest.call("PATCH", rest.p("/settings"), json=big), "settings.site.description", "2000")
    many = {"site": {f"k{n}": "y" * 1_000 for n in range(20)}}
    refused(await rest.call("PATCH", rest.p("/settings"), json=many), "16384")
    ok = await rest.call("PATCH", rest.p("/settings"), json={"site": {"description": "x" * 2_000}})
    assert ok.status_code == 200, ok.text


@pytest.mark.parametrize(
    "meta",
    [
        '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
        "<meta http-equiv=Refresh content=\"0; URL='data:text/html,<script>alert(1)</script>'\">",
        '<meta http-equiv="refresh" content="5, JaVaScRiPt:alert(1)">',
    ],
)
async def test_custom_pages_may_not_refresh_to_script(rest: Rest, world: World, meta: str) -> None:
    upload = CustomPageUpload(
        project_name=world.project_name,
        slug="landing",
        title="A landing page title",
        description=LONG_DESCRIPTION,
        body=f"<html><head>{meta}</head><body><h1>Hi</h1></body></html>",
    )
    answer = await rest.call(
        "POST", rest.p("/docs/edit/upload-custom-page"), "editor", json=upload.model_dump(exclude_none=True)
    )
    body = refused(answer, "blocked")
    assert body["code"] == "blocked_link_scheme"
    fine = upload.model_copy(
        update={"body": '<meta http-equiv="refresh" content="30; url=/pricing/"><h1>x</h1>'}
    )
    ok = await rest.call(
        "POST", rest.p("/docs/edit/upload-custom-page"), "editor", json=fine.model_dump(exclude_none=True)
    )
    assert ok.status_code in (200, 201), ok.text
