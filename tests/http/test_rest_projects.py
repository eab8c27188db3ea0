"""Projects and what hangs off them, through REST: happy paths and the status codes of each."""

from __future__ import annotations

from .conftest import Rest


async def test_project_lifecycle(rest: Rest) -> None:
    listed = await rest.call("GET", "/api/projects", "editor")
    assert listed.status_code == 200
    assert [(p["id"], p["role"]) for p in listed.json()] == [(rest.world.project_id, "editor")]

    created = await rest.call(
        "POST", "/api/projects", "viewer", json={"name": "Viewer's Own", "slug": "viewers-own"}
    )
    assert created.status_code == 201, created.text
    project = created.json()
    assert project["role"] == "manager" and project["slug"] == "viewers-own"
    assert project["site_url"].endswith("/sites/viewers-own/")

    got = await rest.call("GET", rest.p(project_id=project["id"]), "viewer")
    assert got.status_code == 200 and got.json()["name"] == "Viewer's Own"

    renamed = await rest.call("PATCH", rest.p(project_id=project["id"]), "viewer", json={"name": "Renamed"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Renamed"

    wrong = await rest.call(
        "DELETE", rest.p(project_id=project["id"]), "viewer", json={"project_name": "Nope"}
    )
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "project_name_mismatch" and wrong.json()["expected"] == "Renamed"

    # The name echo may also come as a query parameter (clients that drop DELETE bodies).
    deleted = await rest.call("DELETE", rest.p(project_id=project["id"]) + "?project_name=renamed", "viewer")
    assert deleted.status_code == 204 and deleted.content == b""
    gone = await rest.call("GET", rest.p(project_id=project["id"]), "viewer")
    assert gone.status_code == 404 and gone.json()["code"] == "project_not_found"


async def test_delete_project_with_json_body(rest: Rest) -> None:
    created = (await rest.call("POST", "/api/projects", "editor", json={"name": "Scratch"})).json()
    deleted = await rest.call(
        "DELETE", rest.p(project_id=created["id"]), "editor", json={"project_name": "scratch "}
    )
    assert deleted.status_code == 204


async def test_plan_is_platform_admin_only(rest: Rest) -> None:
    refused = await rest.call("PATCH", rest.p("/plan"), "manager", json={"tier": "standard"})
    assert refused.status_code == 403 and refused.json()["code"] == "platform_admin_only"
    changed = await rest.call("PATCH", rest.p("/plan"), "admin", json={"tier": "standard"})
    assert changed.status_code == 200 and changed.json()["plan"]["tier"] == "standard"


async def test_members(rest: Rest) -> None:
    listed = await rest.call("GET", rest.p("/members"), "viewer")
    assert listed.status_code == 200
    assert sorted(m["role"] for m in listed.json()) == ["editor", "manager", "viewer"]
    editor_id = next(m["user_id"] for m in listed.json() if m["role"] == "editor")

    missing = await rest.call("POST", rest.p("/members"), json={"email": "nobody@example.com"})
    assert missing.status_code == 404 and missing.json()["code"] == "user_not_found"
    full = await rest.call("POST", rest.p("/members"), json={"email": "outsider@example.com"})
    assert full.status_code == 403 and full.json()["code"] == "quota_exceeded"  # trial: 3 members

    promoted = await rest.call("PATCH", rest.p(f"/members/{editor_id}"), json={"role": "manager"})
    assert promoted.status_code == 200 and promoted.json()["role"] == "manager"
    removed = await rest.call("DELETE", rest.p(f"/members/{editor_id}"))
    assert removed.status_code == 204
    added = await rest.call(
        "POST", rest.p("/members"), json={"email": "outsider@example.com", "role": "viewer"}
    )
    assert added.status_code == 201 and added.json()["role"] == "viewer"
    again = await rest.call("POST", rest.p("/members"), json={"email": "outsider@example.com"})
    assert again.status_code == 409 and again.json()["code"] == "already_member"
    unknown = await rest.call("DELETE", rest.p("/members/usr_nobody"))
    assert unknown.status_code == 404


async def test_domains(rest: Rest) -> None:
    added = await rest.call("POST", rest.p("/domains"), json={"hostname": "Docs.Example.com"})
    assert added.status_code == 201 and added.json()["hostname"] == "docs.example.com"
    taken = await rest.call(
        "POST",
        rest.p("/domains", rest.world.other_project_id),
        "outsider",
        json={"hostname": "docs.example.com"},
    )
    assert taken.status_code == 409 and taken.json()["code"] == "domain_taken"
    bad = await rest.call("POST", rest.p("/domains"), json={"hostname": "not a host"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_hostname"
    listed = await rest.call("GET", rest.p("/domains"), "viewer")
    assert [d["hostname"] for d in listed.json()] == ["docs.example.com"]
    removed = await rest.call("DELETE", rest.p(f"/domains/{added.json()['id']}"))
    assert removed.status_code == 204
    assert (await rest.call("GET", rest.p("/domains"))).json() == []


async def test_modules_and_settings(rest: Rest) -> None:
    modules = await rest.call("GET", rest.p("/modules"), "viewer")
    assert modules.status_code == 200
    by_name = {m["name"]: m for m in modules.json()}
    assert by_name["knowledge_base"]["enabled"] and not by_name["voice_web"]["allowed"]

    off = await rest.call("PATCH", rest.p("/modules/api_keys"), json={"enabled": False})
    assert off.status_code == 200 and off.json()["enabled"] is False
    unknown = await rest.call("PATCH", rest.p("/modules/teleport"), json={"enabled": True})
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_module"
    not_allowed = await rest.call("PATCH", rest.p("/modules/voice_web"), json={"enabled": True})
    assert not_allowed.status_code == 403 and not_allowed.json()["code"] == "module_not_allowed"
    refused_key = await rest.call("POST", rest.p("/keys"), json={"name": "ci"})
    assert refused_key.status_code == 403 and refused_key.json()["code"] == "module_disabled"

    settings = await rest.call("GET", rest.p("/settings"), "viewer")
    assert settings.status_code == 200 and settings.json()["default_locale"] == "en"
    drift = await rest.call("PATCH", rest.p("/settings"), json={"knowledge_locales": ["es"]})
    assert drift.status_code == 400 and drift.json()["code"] == "locale_config_drift"
    assert drift.json()["violations"]
    changed = await rest.call(
        "PATCH",
        rest.p("/settings"),
        json={"custom_page_locales": ["en", "es"], "site": {"description": "Docs"}},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["locales"] == ["en", "es"] and changed.json()["site"] == {"description": "Docs"}


async def test_keys_shown_once_and_revocable(rest: Rest) -> None:
    created = await rest.call("POST", rest.p("/keys"), json={"name": "ci", "role": "viewer"})
    assert created.status_code == 201
    raw, key_id = created.json()["key"], created.json()["id"]
    assert raw.startswith("cs_") and len(raw) == 43
    listed = await rest.call("GET", rest.p("/keys"))
    assert [k["id"] for k in listed.json()] == [key_id] and "key" not in listed.json()[0]

    headers = {"x-api-key": raw, "x-project-id": rest.world.project_id}
    me = await rest.call("GET", "/api/accounts/me", headers)
    assert me.status_code == 200 and me.json()["key_role"] == "viewer"

    revoked = await rest.call("DELETE", rest.p(f"/keys/{key_id}"))
    assert revoked.status_code == 204
    after = await rest.call("GET", "/api/accounts/me", headers)
    assert after.status_code == 401 and after.json()["code"] == "revoked_api_key"


async def test_audit_log(rest: Rest) -> None:
    await rest.call("PATCH", rest.p(), json={"name": "Acme Docs 2"})
    entries = await rest.call("GET", rest.p("/audit?limit=5&action=project.update"))
    assert entries.status_code == 200
    assert [(e["action"], e["door"]) for e in entries.json()] == [("project.update", "rest")]
    everything = await rest.call("GET", rest.p("/audit"))
    assert {e["action"] for e in everything.json()} >= {"project.create", "member.add", "project.update"}
    bad = await rest.call("GET", rest.p("/audit?limit=0"))
    assert bad.status_code == 400 and "limit" in bad.json()["error"]
    viewer = await rest.call("GET", rest.p("/audit"), "viewer")
    assert viewer.status_code == 403 and viewer.json()["code"] == "role_too_low"


async def test_whoami(rest: Rest) -> None:
    me = await rest.call("GET", "/api/accounts/me", "editor")
    assert me.status_code == 200
    body = me.json()
    assert body["principal_kind"] == "user" and body["user"]["email"] == "editor@example.com"
    assert body["projects"] == [{"id": rest.world.project_id, "name": "Acme Docs", "role": "editor"}]
