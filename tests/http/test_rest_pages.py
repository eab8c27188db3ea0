"""Pages through REST: create, read, list, search, edit, status, visibility, revisions, preview, delete."""

from __future__ import annotations

from typing import Any

from .conftest import Rest

DESCRIPTION = "How to install the widget, configure it and get your first result in minutes."


async def create(
    rest: Rest, slug: str = "guides/intro", who: str = "editor", **fields: Any
) -> dict[str, Any]:
    body = {
        "slug": slug,
        "title": "Getting started",
        "description": DESCRIPTION,
        "content": "Hello widgets",
        **fields,
    }
    response = await rest.call("POST", rest.p("/docs"), who, json=body)
    assert response.status_code == 201, response.text
    page: dict[str, Any] = response.json()["page"]
    return page


async def test_create_read_list_and_search(rest: Rest) -> None:
    page = await create(rest, content="# Install\n\nHello **sprockets**")
    assert page["status"] == "draft" and page["version"] == 1 and page["path"].startswith("pg_")

    got = await rest.call("GET", rest.p(f"/docs/{page['path']}"), "editor")
    assert got.status_code == 200 and got.json()["variant"] == "draft"
    # Viewers read live by default and this page was never published.
    viewer = await rest.call("GET", rest.p(f"/docs/{page['path']}"), "viewer")
    assert viewer.status_code == 404 and viewer.json()["code"] == "version_not_found"
    draft = await rest.call("GET", rest.p(f"/docs/{page['path']}?variant=draft"), "viewer")
    assert draft.status_code == 200 and draft.json()["title"] == "Getting started"
    bad_variant = await rest.call("GET", rest.p(f"/docs/{page['path']}?variant=newest"), "viewer")
    assert bad_variant.status_code == 400

    await create(rest, slug="faq/billing", title="Billing questions", content="Invoices")
    listed = await rest.call("GET", rest.p("/docs?slug_prefix=guides&limit=10"), "viewer")
    assert listed.status_code == 200
    assert listed.json()["total"] == 1 and [p["slug"] for p in listed.json()["pages"]] == ["guides/intro"]
    filtered = await rest.call("GET", rest.p("/docs?status=live"), "viewer")
    assert filtered.json() == {"total": 0, "pages": []}
    bad_filter = await rest.call("GET", rest.p("/docs?status=published"), "viewer")
    assert bad_filter.status_code == 400 and "status" in bad_filter.json()["error"]
    misspelt = await rest.call("GET", rest.p("/docs?langauge=en"), "viewer")
    assert misspelt.status_code == 400 and "langauge" in misspelt.json()["error"]

    found = await rest.call("GET", rest.p("/docs/search?q=sprockets&include_drafts=true"), "editor")
    assert found.status_code == 200, found.text
    assert [h["slug"] for h in found.json()["hits"]] == ["guides/intro"]
    live_only = await rest.call("GET", rest.p("/docs/search?q=sprockets"), "viewer")
    assert live_only.json()["hits"] == []
    drafts_as_viewer = await rest.call(
        "GET", rest.p("/docs/search?q=sprockets&include_drafts=true"), "viewer"
    )
    # Viewers read drafts (SPEC §2), so they may search them too.
    assert drafts_as_viewer.status_code == 200, drafts_as_viewer.text
    assert [h["slug"] for h in drafts_as_viewer.json()["hits"]] == ["guides/intro"]
    no_query = await rest.call("GET", rest.p("/docs/search"), "viewer")
    assert no_query.status_code == 400 and "q" in no_query.json()["error"]


async def test_update_status_visibility_and_delete(rest: Rest) -> None:
    page = await create(rest)
    url = rest.p(f"/docs/{page['path']}")
    updated = await rest.call(
        "PATCH",
        url,
        "editor",
        json={"base_version": 1, "content": "Hello gadgets", "metadata": {"level": "beginner"}},
    )
    assert updated.status_code == 200 and updated.json()["changed"] is True
    assert updated.json()["page"]["version"] == 2 and updated.json()["page"]["metadata"] == {
        "level": "beginner"
    }
    stale = await rest.call("PATCH", url, "editor", json={"base_version": 1, "content": "Lost update"})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    assert stale.json()["current_version"] == 2

    wrong_name = await rest.call(
        "PATCH", url + "/status", "editor", json={"status": "ready", "project_name": "x"}
    )
    assert wrong_name.status_code == 400 and wrong_name.json()["code"] == "project_name_mismatch"
    approved = await rest.call(
        "PATCH", url + "/status", "editor", json={"status": "ready", "project_name": "acme docs"}
    )
    assert approved.status_code == 200 and approved.json()["status"] == "ready"
    assert approved.json()["next_action"] == "publish"
    not_live = await rest.call(
        "PATCH", url + "/status", "manager", json={"status": "unpublished", "project_name": "Acme Docs"}
    )
    assert not_live.status_code == 409 and not_live.json()["code"] == "not_live"

    internal = await rest.call("PATCH", url + "/visibility", "editor", json={"audience": "internal"})
    assert internal.status_code == 200 and internal.json()["audience"] == "internal"

    refused = await rest.call("DELETE", url, "editor", json={"project_name": "Acme Docs"})
    assert refused.status_code == 403 and refused.json()["code"] == "role_too_low"
    deleted = await rest.call("DELETE", url + "?project_name=Acme%20Docs", "manager")
    assert deleted.status_code == 204
    gone = await rest.call("GET", url, "manager")
    assert gone.status_code == 404 and gone.json()["code"] == "page_not_found"


async def test_revisions_and_restore(rest: Rest) -> None:
    page = await create(rest)
    url = rest.p(f"/docs/{page['path']}")
    await rest.call("PATCH", url, "editor", json={"base_version": 1, "title": "Second title"})
    revisions = await rest.call("GET", url + "/revisions", "viewer")
    assert revisions.status_code == 200
    assert [(r["number"], r["title"], r["is_draft"]) for r in revisions.json()] == [
        (2, "Second title", True),
        (1, "Getting started", False),
    ]

    restored = await rest.call("POST", url + "/revisions/1/restore", "editor", json={"base_version": 2})
    assert restored.status_code == 200 and restored.json()["title"] == "Getting started"
    assert restored.json()["version"] == 3
    no_body = await rest.call("POST", url + "/revisions/2/restore", "editor")
    assert no_body.status_code == 200 and no_body.json()["title"] == "Second title"
    stale = await rest.call("POST", url + "/revisions/1/restore", "editor", json={"base_version": 2})
    assert stale.status_code == 409 and stale.json()["current_version"] == 4
    missing = await rest.call("POST", url + "/revisions/99/restore", "editor")
    assert missing.status_code == 404 and missing.json()["code"] == "revision_not_found"
    not_a_number = await rest.call("POST", url + "/revisions/first/restore", "editor")
    assert not_a_number.status_code == 400 and not_a_number.json()["code"] == "invalid_path"
    viewer = await rest.call("POST", url + "/revisions/1/restore", "viewer")
    assert viewer.status_code == 403


async def test_edit_mode_loop(rest: Rest) -> None:
    edit = rest.p("/docs/edit")
    opened = await rest.call("POST", edit + "/open", "editor", json={"slug": "guides/setup"})
    assert opened.status_code == 200
    assert opened.json() == {
        "draft_id": "new",
        "action": "new",
        "doc": None,
        "template": None,
        "base_version": None,
    }

    created = await rest.call(
        "POST",
        edit + "/save",
        "editor",
        json={
            "draft_id": "new",
            "slug": "guides/setup",
            "title": "Setting up",
            "content": "Step one",
            "doc_template_id": "docs",
        },
    )
    assert created.status_code == 200, created.text
    path = created.json()["page"]["path"]

    reopened = await rest.call(
        "POST", edit + "/open", "editor", json={"slug": "guides/setup", "language": "en"}
    )
    assert reopened.json()["action"] == "existing_draft" and reopened.json()["draft_id"] == path
    assert reopened.json()["template"]["id"] == "docs"
    version = reopened.json()["base_version"]

    saved = await rest.call(
        "POST",
        edit + "/save",
        "editor",
        json={
            "draft_id": path,
            "base_version": version,
            "content": "Step one, then two",
            "metadata": {"level": "x"},
        },
    )
    assert saved.status_code == 200 and saved.json()["changed"] is True
    unchanged = await rest.call(
        "POST",
        edit + "/save",
        "editor",
        json={"draft_id": path, "base_version": version + 1, "content": "Step one, then two"},
    )
    assert unchanged.status_code == 200 and unchanged.json()["changed"] is False
    # A second editor still holding the old version is refused, and told the current one.
    stale = await rest.call(
        "POST",
        edit + "/save",
        "manager",
        json={"draft_id": path, "base_version": version, "content": "Someone else's edit"},
    )
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version" and stale.json()["current_version"] == version + 1

    discarded = await rest.call("POST", edit + "/discard", "editor", json={"draft_id": path})
    assert discarded.status_code == 200 and discarded.json()["page_deleted"] is True
    again = await rest.call("POST", edit + "/discard", "editor", json={"draft_id": path})
    assert again.status_code == 404
    viewer = await rest.call("POST", edit + "/open", "viewer", json={"slug": "guides/setup"})
    assert viewer.status_code == 403 and viewer.json()["code"] == "role_too_low"


def custom_page(**overrides: Any) -> dict[str, Any]:
    return {
        "project_name": "Acme Docs",
        "slug": "landing",
        "title": "Widgets for every team",
        "description": "Everything about our widgets on one page, with pricing and a demo you can try now.",
        "body": '<h1 data-t-key="hero">Widgets</h1><p><a href="https://example.com">More</a></p>'
        "<script>console.log('ships as written')</script>",
        **overrides,
    }


async def test_upload_custom_page_and_preview(rest: Rest) -> None:
    upload = rest.p("/docs/edit/upload-custom-page")
    result = await rest.call("POST", upload, "editor", json=custom_page())
    assert result.status_code == 200, result.text
    body = result.json()
    assert body["changed"] is True and body["translatable_strings"] == {"hero": "Widgets"}
    path = body["page"]["path"]
    assert body["draft_url"] == f"http://testserver{rest.p(f'/docs/{path}/preview')}"

    # draft_url shows the uploader (an editor) the draft; a viewer asks for it with ?variant=draft.
    preview = await rest.call("GET", body["draft_url"].removeprefix("http://testserver"), "editor")
    assert preview.status_code == 200 and preview.headers["content-type"].startswith("text/html")
    assert "sandbox" in preview.headers["content-security-policy"]
    assert "<script>console.log('ships as written')</script>" in preview.text  # custom body as written
    assert "<title>Widgets for every team</title>" in preview.text
    as_viewer = await rest.call("GET", rest.p(f"/docs/{path}/preview"), "viewer")
    assert as_viewer.status_code == 404 and as_viewer.json()["code"] == "version_not_found"

    # Knowledge pages are rendered by the site's Markdown pipeline: the title is the one h1, headings get
    # anchors, raw HTML is sanitized.
    page = await create(rest, content="# Install\n\n*Hello* <script>alert(1)</script> <b>bold</b>")
    knowledge = await rest.call("GET", rest.p(f"/docs/{page['path']}/preview?variant=draft"), "viewer")
    assert knowledge.status_code == 200
    assert '<h2 id="install">Install <a class="header-anchor"' in knowledge.text
    assert "<em>Hello</em>" in knowledge.text
    assert "<b>bold</b>" in knowledge.text and "alert(1)" not in knowledge.text
    assert f'content="{DESCRIPTION}"' in knowledge.text
    unauthenticated = await rest.client.get(rest.p(f"/docs/{page['path']}/preview"))
    assert unauthenticated.status_code == 401

    wrong_tool = await rest.call("POST", upload, "editor", json=custom_page(slug="guides/intro"))
    assert wrong_tool.status_code == 400 and wrong_tool.json()["code"] == "wrong_tool_knowledge_page"


async def test_upload_custom_page_refuses_javascript_links(rest: Rest) -> None:
    upload = rest.p("/docs/edit/upload-custom-page")
    body = '<h1>Hi</h1><a href="&#106;avascript:alert(document.cookie)">click</a>'
    refused = await rest.call("POST", upload, "editor", json=custom_page(body=body))
    assert refused.status_code == 400
    assert refused.json()["code"] == "blocked_link_scheme" and refused.json()["problems"]
    listed = await rest.call("GET", rest.p("/docs"), "viewer")
    assert listed.json()["total"] == 0
    audit = await rest.call("GET", rest.p("/audit?action=custom_page.upload"), "manager")
    assert [e["error_code"] for e in audit.json()] == ["blocked_link_scheme"]
