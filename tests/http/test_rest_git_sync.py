"""Git sync end to end over REST against a repository served on loopback by dulwich's smart-HTTP server (and a
local path with the operator flag): connect, pull and publish, a new commit changes only its pages, signed
webhooks pull, a bad signature is 403, a push to another branch does nothing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from comstack_core.gitsync import sign
from comstack_core.schemas import ModuleUpdate

from ..core.gitsync.gitserver import GitServer, commit_files, new_repository, serve
from .conftest import Rest

TOKEN = "ghp_s3cret-token-value"
SECRET = "webhook-secret"
DOCS = {
    "docs/index.md": "---\ntitle: Widget docs\ndescription: Everything about the widget.\n---\n\n"
    "Start with [setup](guide/setup.md).\n",
    "docs/guide/setup.md": "# Setup\n\nInstall it. Then read [usage](usage.md).\n",
    "docs/guide/usage.md": "# Usage\n\nUse it.\n",
    "src/app.py": "print()\n",
}


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    repo = new_repository(tmp_path / "origin")
    commit_files(repo, DOCS, "First docs")
    return repo


@pytest.fixture
def server(origin: Path, tmp_path: Path) -> Iterator[GitServer]:
    yield from serve(origin, tmp_path, credentials=("oauth2", TOKEN))


async def _enable(rest: Rest) -> None:
    await rest.core.modules.configure_module(
        rest.world.manager, rest.world.project_id, "github_sync", ModuleUpdate(enabled=True)
    )


def push(branch: str, after: str, secret: str = SECRET) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(
        {
            "ref": f"refs/heads/{branch}",
            "before": "0" * 39 + "1",
            "after": after,
            "repository": {"full_name": "acme/docs"},
        }
    ).encode()
    return body, {
        "x-github-event": "push",
        "x-hub-signature-256": sign(body, secret),
        "content-type": "application/json",
    }


async def _wait_published(rest: Rest, publish_id: str) -> dict[str, object]:
    for _ in range(300):
        status = (await rest.call("GET", rest.p(f"/publish/{publish_id}"))).json()
        if status["status"] != "running":
            return status
        await asyncio.sleep(0.1)
    raise AssertionError("the publish did not finish")


async def test_connect_pull_publish_and_webhooks(rest: Rest, server: GitServer, origin: Path) -> None:
    settings = rest.core.settings
    settings.git_allow_private_hosts, settings.git_ca_bundle = True, server.ca_bundle
    await _enable(rest)
    name = rest.world.project_name
    connected = await rest.call(
        "PUT",
        rest.p("/git"),
        json={
            "url": server.url,
            "branch": "main",
            "folder": "docs",
            "token": TOKEN,
            "webhook_secret": SECRET,
        },
    )
    assert connected.status_code == 200, connected.text
    assert TOKEN not in connected.text and connected.json()["webhook_url"].endswith("/git/webhook")

    assert (await rest.call("POST", rest.p("/git/pull"), json={"project_name": "Wrong"})).status_code == 400
    pulled = await rest.call("POST", rest.p("/git/pull"), json={"project_name": name})
    assert pulled.status_code == 200, pulled.text
    body = pulled.json()
    assert sorted(p["slug"] for p in body["report"]["pages"]) == ["guide/setup", "guide/usage", "index"]
    assert {p["action"] for p in body["report"]["pages"]} == {"create"}
    assert server.seen_authorization[-1] is not None  # the token went along
    manifest = body["publish"]["manifest"]
    assert sorted(p["slug"] for p in manifest["pages"]) == ["guide/setup", "guide/usage", "index"]
    confirm = await rest.call(
        "POST",
        rest.p("/publish/confirm"),
        json={
            "project_name": name,
            "confirmation_token": body["publish"]["confirmation_token"],
        },
    )
    assert confirm.status_code == 202, confirm.text
    assert (await _wait_published(rest, confirm.json()["publish_id"]))["status"] == "succeeded"

    again = (await rest.call("POST", rest.p("/git/pull"), json={"project_name": name})).json()
    assert {p["action"] for p in again["report"]["pages"]} == {"unchanged"}
    assert again["publish"] is None and "nothing changed" in again["message"]

    commit = await asyncio.to_thread(
        commit_files, origin, {"docs/guide/usage.md": "# Usage\n\nUse it daily.\n"}, "Edit usage"
    )
    forged, headers = push("main", commit, secret="not-the-secret")
    refused = await rest.client.post(rest.p("/git/webhook"), content=forged, headers=headers)
    assert (refused.status_code, refused.json()["code"]) == (403, "webhook_signature_invalid")
    unsigned = await rest.client.post(
        rest.p("/git/webhook"), content=forged, headers={"x-github-event": "push"}
    )
    assert (unsigned.status_code, unsigned.json()["code"]) == (403, "webhook_signature_missing")

    other = await asyncio.to_thread(
        commit_files, origin, {"docs/guide/usage.md": "# Other\n"}, "Elsewhere", "next"
    )
    body_other, headers_other = push("next", other)
    ignored = await rest.client.post(rest.p("/git/webhook"), content=body_other, headers=headers_other)
    assert ignored.status_code == 200 and ignored.json()["action"] == "ignored"
    usage = (await rest.call("GET", rest.p("/docs/search"), params={"q": "daily"})).json()
    assert usage["hits"] == []

    signed, headers = push("main", commit)
    hook = await rest.client.post(rest.p("/git/webhook"), content=signed, headers=headers)
    assert hook.status_code == 200, hook.text
    assert hook.json()["action"] == "pulled" and hook.json()["commit"] == commit
    assert hook.json()["counts"]["update"] == 1 and hook.json()["counts"]["unchanged"] == 2
    pages = (await rest.call("GET", rest.p("/docs"))).json()["pages"]
    status = {p["slug"]: p["status"] for p in pages}
    assert status == {"index": "live", "guide/setup": "live", "guide/usage": "ready"}

    gitlab = await rest.client.post(
        rest.p("/git/webhook"),
        content=signed,
        headers={"x-gitlab-event": "Push Hook", "x-gitlab-token": "wrong"},
    )
    assert gitlab.status_code == 403

    await rest.call(
        "PUT",
        rest.p("/git"),
        json={
            "url": server.url,
            "branch": "main",
            "folder": "docs",
            "token": TOKEN,
            "webhook_secret": SECRET,
            "auto_publish": True,
        },
    )
    newest = await asyncio.to_thread(commit_files, origin, {"docs/guide/setup.md": "# Setup\n\nv2\n"}, "v2")
    signed, headers = push("main", newest)
    published = await rest.client.post(rest.p("/git/webhook"), content=signed, headers=headers)
    assert published.json()["action"] == "published", published.text
    assert (await _wait_published(rest, published.json()["publish"]["publish_id"]))["status"] == "succeeded"


async def test_local_repository_needs_the_operator_flag(rest: Rest, origin: Path) -> None:
    await _enable(rest)
    refused = await rest.call("PUT", rest.p("/git"), json={"url": str(origin), "folder": "docs"})
    assert (refused.status_code, refused.json()["code"]) == (400, "git_local_refused")
    rest.core.settings.git_allow_local = True
    assert (
        await rest.call("PUT", rest.p("/git"), json={"url": str(origin), "folder": "docs"})
    ).status_code == 200
    pulled = await rest.call("POST", rest.p("/git/pull"), json={"project_name": rest.world.project_name})
    assert pulled.status_code == 200, pulled.text
    assert len(pulled.json()["report"]["pages"]) == 3
    rest.core.settings.git_allow_local = False  # withdrawn: the stored local URL is refused at the next pull
    again = await rest.call("POST", rest.p("/git/pull"), json={"project_name": rest.world.project_name})
    assert (again.status_code, again.json()["code"]) == (400, "git_local_refused")


async def test_pull_is_for_managers_of_the_project(rest: Rest) -> None:
    await _enable(rest)
    body = {"project_name": rest.world.project_name}
    assert (await rest.call("POST", rest.p("/git/pull"), "editor", json=body)).status_code == 403
    assert (await rest.call("POST", rest.p("/git/pull"), "outsider", json=body)).status_code == 404
    missing = await rest.call("POST", rest.p("/git/pull"), json=body)
    assert (missing.status_code, missing.json()["code"]) == (404, "git_not_connected")
