"""Navigation, theme, project state and templates through REST."""

from __future__ import annotations

import pytest

from .conftest import Rest

GROUP = {"title": {"en": "Guides"}, "icon": "menu_book", "page_slugs": ["guides/intro"]}


async def test_sidebar_groups(rest: Rest) -> None:
    url = rest.p("/sidebar-groups")
    first = await rest.call("POST", url, json=GROUP)
    assert first.status_code == 201 and first.json()["position"] == 0
    second = await rest.call("POST", url, json={**GROUP, "title": {"en": "Help"}, "icon": "help"})
    assert second.status_code == 201 and second.json()["position"] == 1
    bad_icon = await rest.call("POST", url, json={**GROUP, "icon": "no_such_icon"})
    assert bad_icon.status_code == 400
    bad_slug = await rest.call("POST", url, json={**GROUP, "page_slugs": ["Guides/../x"]})
    assert bad_slug.status_code == 400 and bad_slug.json()["code"] == "invalid_slug"
    editor = await rest.call("POST", url, "editor", json=GROUP)
    assert editor.status_code == 403

    ids = [first.json()["id"], second.json()["id"]]
    reordered = await rest.call("POST", url + "/reorder", json={"ids": ids[::-1]})
    assert reordered.status_code == 200 and [g["id"] for g in reordered.json()] == ids[::-1]
    partial = await rest.call("POST", url + "/reorder", json={"ids": ids[:1]})
    assert partial.status_code == 400 and partial.json()["code"] == "invalid_reorder"

    put = await rest.call("PUT", f"{url}/{ids[0]}", json={**GROUP, "title": {"en": "Tutorials"}})
    assert put.status_code == 200 and put.json()["title"] == {"en": "Tutorials"}
    # PATCH changes what it names and keeps the rest; PUT replaces the whole group.
    patch = await rest.call("PATCH", f"{url}/{ids[0]}", json={"icon": "home"})
    assert patch.status_code == 200, patch.text
    assert (patch.json()["icon"], patch.json()["title"], patch.json()["page_slugs"]) == (
        "home", {"en": "Tutorials"}, ["guides/intro"]
    )
    empty = await rest.call("PATCH", f"{url}/{ids[0]}", json={})
    assert empty.status_code == 200 and empty.json() == patch.json()
    bad = await rest.call("PATCH", f"{url}/{ids[0]}", json={"icon": "no_such_icon"})
    assert bad.status_code == 400
    whole = await rest.call("PUT", f"{url}/{ids[0]}", json={"title": {"en": "Tutorials"}, "icon": "home"})
    assert whole.status_code == 200 and whole.json()["page_slugs"] == []
    half = await rest.call("PUT", f"{url}/{ids[0]}", json={"icon": "home"})
    assert half.status_code == 400 and "title" in half.json()["error"]
    missing = await rest.call("PUT", f"{url}/grp_nothing", json=GROUP)
    assert missing.status_code == 404

    listed = await rest.call("GET", url, "viewer")
    assert [(g["id"], g["position"]) for g in listed.json()] == [(ids[1], 0), (ids[0], 1)]
    deleted = await rest.call("DELETE", f"{url}/{ids[1]}")
    assert deleted.status_code == 204
    assert [(g["id"], g["position"]) for g in (await rest.call("GET", url)).json()] == [(ids[0], 0)]


async def test_header_nav_items(rest: Rest) -> None:
    url = rest.p("/header-nav-items")
    a = await rest.call("POST", url, json={"label": {"en": "Pricing"}, "target": "pricing"})
    b = await rest.call("POST", url, json={"label": {"en": "Blog"}, "target": "https://blog.example.com"})
    assert a.status_code == b.status_code == 201
    insecure = await rest.call("POST", url, json={"label": {"en": "Old"}, "target": "http://example.com"})
    assert insecure.status_code == 400 and insecure.json()["code"] == "invalid_navigation"
    ids = [a.json()["id"], b.json()["id"]]
    reordered = await rest.call("POST", url + "/reorder", json={"ids": ids[::-1]})
    assert [i["id"] for i in reordered.json()] == ids[::-1]
    updated = await rest.call("PATCH", f"{url}/{ids[0]}", json={"target": "plans"})
    assert updated.status_code == 200 and (updated.json()["target"], updated.json()["label"]) == (
        "plans", {"en": "Pricing"}
    )
    relabelled = await rest.call("PATCH", f"{url}/{ids[0]}", json={"label": {"en": "Plans"}})
    assert (relabelled.json()["target"], relabelled.json()["label"]) == ("plans", {"en": "Plans"})
    half = await rest.call("PUT", f"{url}/{ids[0]}", json={"target": "plans"})
    assert half.status_code == 400 and "label" in half.json()["error"]
    assert (await rest.call("DELETE", f"{url}/{ids[0]}")).status_code == 204
    assert [i["id"] for i in (await rest.call("GET", url, "viewer")).json()] == [ids[1]]


async def test_navigation_theme_and_state(rest: Rest) -> None:
    replaced = await rest.call(
        "PUT",
        rest.p("/navigation"),
        json={"sidebar_groups": [GROUP], "header_nav_items": [{"label": {"en": "Home"}, "target": "index"}]},
    )
    assert replaced.status_code == 200 and replaced.json()["pending"] is True
    navigation = await rest.call("GET", rest.p("/navigation"), "viewer")
    assert [g["title"] for g in navigation.json()["sidebar_groups"]] == [{"en": "Guides"}]

    theme = await rest.call("GET", rest.p("/theme"), "viewer")
    assert theme.status_code == 200 and theme.json() == {"theme": {}, "pending": False}
    no_echo = await rest.call("PATCH", rest.p("/theme"), json={"colors": {"primary": "#112233"}})
    assert no_echo.status_code == 400 and "project_name" in no_echo.json()["error"]
    bad_color = await rest.call(
        "PATCH", rest.p("/theme"), json={"project_name": "Acme Docs", "colors": {"primary": "red"}}
    )
    assert bad_color.status_code == 400 and bad_color.json()["code"] == "invalid_theme"
    changed = await rest.call(
        "PATCH",
        rest.p("/theme"),
        json={"project_name": "Acme Docs", "colors": {"primary": "#112233"}, "dark_mode": "dark"},
    )
    assert changed.status_code == 200
    assert changed.json() == {
        "theme": {"colors": {"primary": "#112233"}, "dark_mode": "dark"},
        "pending": True,
    }

    state = await rest.call("GET", rest.p("/state"), "viewer")
    assert state.status_code == 200
    body = state.json()
    assert body["name"] == "Acme Docs" and body["role"] == "viewer"
    assert body["pending_site_changes"] == {"navigation": True, "theme": True}


async def test_doc_templates(rest: Rest) -> None:
    listed = await rest.call("GET", "/api/templates/doc", "viewer")
    assert listed.status_code == 200
    assert {"docs", "blog", "product", "faq", "custom-page"} <= {t["id"] for t in listed.json()}

    recipe = {
        "id": "recipe",
        "name": "Recipe",
        "fields": [{"name": "servings", "type": "number", "required": True}],
    }
    refused = await rest.call("POST", "/api/templates/doc", "manager", json=recipe)
    assert refused.status_code == 403 and refused.json()["code"] == "platform_admin_only"
    created = await rest.call("POST", "/api/templates/doc", "admin", json=recipe)
    assert created.status_code == 201 and created.json()["fields"][0]["name"] == "servings"
    duplicate = await rest.call("POST", "/api/templates/doc", "admin", json=recipe)
    assert duplicate.status_code == 409
    bad_field = await rest.call(
        "POST",
        "/api/templates/doc",
        "admin",
        json={**recipe, "id": "bad", "fields": [{"name": "x", "type": "money"}]},
    )
    assert bad_field.status_code == 400

    got = await rest.call("GET", "/api/templates/doc/recipe", "viewer")
    assert got.status_code == 200 and got.json()["name"] == "Recipe"
    patched = await rest.call("PATCH", "/api/templates/doc/recipe", "admin", json={"name": "Recipes"})
    assert patched.status_code == 200 and patched.json()["name"] == "Recipes"
    deleted = await rest.call("DELETE", "/api/templates/doc/recipe", "admin")
    assert deleted.status_code == 204
    assert "recipe" not in {t["id"] for t in (await rest.call("GET", "/api/templates/doc")).json()}
    with_deleted = await rest.call("GET", "/api/templates/doc?include_deleted=true")
    assert {t["id"]: t["deleted"] for t in with_deleted.json()}["recipe"] is True
    assert (await rest.call("GET", "/api/templates/doc/nothing")).status_code == 404


async def test_project_templates_and_assignment(rest: Rest) -> None:
    listed = await rest.call("GET", "/api/templates/project", "viewer")
    assert {"knowledge-site", "business-voice"} <= {t["id"] for t in listed.json()}
    body = {
        "id": "tiny",
        "name": "Tiny",
        "doc_template_ids": ["docs"],
        "module_ids": ["knowledge_base", "website"],
        "default_modules": ["knowledge_base"],
    }
    created = await rest.call("POST", "/api/templates/project", "admin", json=body)
    assert created.status_code == 201 and created.json()["trial_days"] == 14
    patched = await rest.call("PATCH", "/api/templates/project/tiny", "admin", json={"trial_days": 30})
    assert patched.status_code == 200 and patched.json()["trial_days"] == 30
    refused = await rest.call("PATCH", "/api/templates/project/tiny", "manager", json={"trial_days": 1})
    assert refused.status_code == 403
    one = await rest.call("GET", "/api/templates/project/tiny", "viewer")
    assert one.status_code == 200 and (one.json()["id"], one.json()["trial_days"]) == ("tiny", 30)
    assert (await rest.call("GET", "/api/templates/project/nothing")).json()["code"] == "template_not_found"

    docs = await rest.call("GET", rest.p("/templates"), "viewer")
    assert "docs" in [t["id"] for t in docs.json()]
    chosen = await rest.call("PUT", rest.p("/templates"), json={"doc_template_ids": ["docs", "faq"]})
    assert chosen.status_code == 200 and [t["id"] for t in chosen.json()] == ["docs", "faq"]
    not_allowed = await rest.call("PUT", rest.p("/templates"), json={"doc_template_ids": ["recipe-x"]})
    assert not_allowed.status_code == 403 and not_allowed.json()["code"] == "template_not_allowed"

    assign = await rest.call("POST", rest.p("/project-template"), "manager", json={"template_id": "tiny"})
    assert assign.status_code == 403
    assigned = await rest.call("POST", rest.p("/project-template"), "admin", json={"template_id": "tiny"})
    assert assigned.status_code == 200
    assert assigned.json() == {
        "project_id": rest.world.project_id,
        "project_template_id": "tiny",
        "doc_template_ids": ["docs"],
    }

    # Deleting is soft: the project on it keeps it, no other project can join it, and the default stays.
    assert (await rest.call("DELETE", "/api/templates/project/tiny", "manager")).status_code == 403
    assert (await rest.call("DELETE", "/api/templates/project/tiny", "admin")).status_code == 204
    assert (await rest.call("DELETE", "/api/templates/project/tiny", "admin")).status_code == 404
    gone = await rest.call("GET", "/api/templates/project/tiny", "viewer")
    assert gone.status_code == 200 and gone.json()["deleted"] is True
    assert "tiny" not in {t["id"] for t in (await rest.call("GET", "/api/templates/project")).json()}
    again = await rest.call("POST", rest.p("/project-template"), "admin", json={"template_id": "tiny"})
    assert again.status_code == 404 and again.json()["code"] == "template_not_found"
    kept = await rest.call("DELETE", "/api/templates/project/knowledge-site", "admin")
    assert kept.status_code == 409 and kept.json()["code"] == "template_required"


@pytest.mark.parametrize(
    ("method", "route", "body"),
    [
        ("POST", "/api/templates/project", {"id": "x"}),  # invalid: name and more are missing
        ("POST", "/api/templates/doc", {"bogus": True}),
        ("PATCH", "/api/templates/project/knowledge-site", {"trial_days": "many"}),
        ("POST", "/api/projects/{project_id}/project-template", {}),
    ],
)
async def test_admin_routes_refuse_others_before_reading_the_body(
    rest: Rest, method: str, route: str, body: dict[str, object]
) -> None:
    """A caller who may not use the route at all hears that (403), not how to fix the body (400)."""
    answer = await rest.call(method, route.format(project_id=rest.world.project_id), "manager", json=body)
    assert answer.status_code == 403 and answer.json()["code"] == "platform_admin_only", answer.text
    assert (await rest.call(method, route.format(project_id=rest.world.project_id), "admin", json=body)).status_code == 400
