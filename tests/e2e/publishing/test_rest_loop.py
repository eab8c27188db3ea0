"""The whole publishing loop through REST (httpx against the production app, API-key headers): dry run →
confirm → status until succeeded → the site served under /sites/{slug}/ → history."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from comstack_core import Core, Principal
from comstack_core.demo import seed_demo

from ...core.publishing.conftest import wait_published


def keys(raw: str, project_id: str) -> dict[str, str]:
    return {"x-api-key": raw, "x-project-id": project_id}


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_publish_loop_over_rest(core: Core, client: httpx.AsyncClient, tmp_path: Path) -> None:
    demo = await seed_demo(core, tmp_path / "demo")
    pid, name = demo.project_id, demo.project_name
    manager, viewer = keys(demo.manager_key, pid), keys(demo.viewer_key, pid)
    slug = (await core.projects.get_project(Principal.system(), pid)).slug
    base = f"/api/projects/{pid}"

    # Before any publish there is no site.
    assert (await client.get(f"/sites/{slug}/")).status_code == 404
    # Viewers cannot publish; a wrong name echo is refused before anything is computed.
    assert (
        await client.post(f"{base}/publish", headers=viewer, json={"project_name": name})
    ).status_code == 403
    wrong = await client.post(f"{base}/publish", headers=manager, json={"project_name": "ComStack Dem"})
    assert wrong.status_code == 400 and wrong.json()["code"] == "project_name_mismatch"

    dry = await client.post(f"{base}/publish", headers=manager, json={"project_name": name.lower()})
    assert dry.status_code == 200, dry.text
    body = dry.json()
    token, manifest = body["confirmation_token"], body["manifest"]
    assert re.fullmatch(r"[0-9a-f]{64}", token)
    assert manifest["project_name"] == name
    assert manifest["target_site_url"] == f"http://testserver/sites/{slug}/"
    assert len(manifest["pages"]) == 13
    assert {p["change_type"] for p in manifest["pages"]} == {"new"}
    assert all(p["is_new"] and p["bytes"] > 0 for p in manifest["pages"])
    by_slug = {p["slug"]: p for p in manifest["pages"]}
    assert (
        by_slug["guides/getting-started"]["url"] == f"http://testserver/sites/{slug}/guides/getting-started/"
    )
    assert by_slug["index"]["url"] == f"http://testserver/sites/{slug}/"
    assert set(manifest["nav_changes"]) == {"sidebar_groups", "header_nav_items"}
    # The dry run wrote nothing: no publish, no site.
    history = await client.get(f"{base}/publish/history", headers=viewer)
    assert history.status_code == 200 and history.json() == []

    confirm = await client.post(
        f"{base}/publish/confirm", headers=manager, json={"project_name": name, "confirmation_token": token}
    )
    assert confirm.status_code == 202, confirm.text
    started = confirm.json()
    assert started["status"] == "running" and started["site_url"] == f"http://testserver/sites/{slug}/"

    final = await wait_published(client, pid, manager, started["publish_id"])
    assert final["status"] == "succeeded", final
    assert final["step"] == "deployed" and final["error"] is None
    assert final["counts"]["pages"] == 13 and final["counts"]["rendered"] == 13
    assert final["counts"]["promoted"] == 13 and final["counts"]["full_rebuild"] is True
    assert {"promote", "translate", "build", "check"} <= set(final["timings"])
    assert final["progress"] == {"step": "done", "done": 13, "total": 13}
    assert final["duration_seconds"] is not None and final["actor_kind"] == "key"

    home = await client.get(f"/sites/{slug}/")
    assert home.status_code == 200 and home.headers["content-type"].startswith("text/html")
    assert "Your knowledge, everywhere" in home.text
    page = await client.get(f"/sites/{slug}/guides/getting-started/")
    assert page.status_code == 200 and "Getting started with ComStack" in page.text
    copy = await client.get(f"/sites/{slug}/guides/getting-started.md")
    assert copy.status_code == 200 and copy.headers["content-type"].startswith("text/markdown")
    assert "1. Create a project." in copy.text
    llms = await client.get(f"/sites/{slug}/llms.txt")
    assert llms.status_code == 200 and "Getting started with ComStack" in llms.text
    # A directory URL without its slash is redirected to the canonical form.
    bare = await client.get(f"/sites/{slug}/guides/approving")
    assert bare.status_code == 308 and bare.headers["location"].endswith(f"/sites/{slug}/guides/approving/")
    # Redirects are paths: a forged Host header never becomes the place readers are sent.
    for path, location in ((f"/sites/{slug}/guides/approving?q=1", f"/sites/{slug}/guides/approving/?q=1"),
                           (f"/sites/{slug}", f"/sites/{slug}/")):
        forged = await client.get(path, headers={"host": "evil.test"})
        assert forged.status_code == 308 and forged.headers["location"] == location

    # Pages are live now, so there is nothing left to publish.
    again = await client.post(f"{base}/publish", headers=manager, json={"project_name": name})
    assert again.status_code == 409 and again.json()["code"] == "nothing_to_publish"

    listed = (await client.get(f"{base}/publish/history", headers=viewer)).json()
    assert [(p["publish_id"], p["status"]) for p in listed] == [(started["publish_id"], "succeeded")]
    one = await client.get(f"{base}/publish/{started['publish_id']}", headers=viewer)
    assert one.status_code == 200 and one.json()["status"] == "succeeded"
    missing = await client.get(f"{base}/publish/pub_nothing", headers=viewer)
    assert missing.status_code == 404 and missing.json()["code"] == "publish_not_found"
