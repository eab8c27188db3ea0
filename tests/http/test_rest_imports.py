"""POST /api/projects/{id}/import (an archive of a docs tree) and the git sync routes' refusals over REST."""

from __future__ import annotations

import io
import stat
import tarfile
import zipfile

import httpx

from comstack_core.schemas import ModuleUpdate, PageRef

from ..core.imports.test_import_service import real_png
from ..core.test_support import snapshot
from ..lifespan import running
from .conftest import Rest, TokenPrincipals, build_app

FILES = {
    "docs-main/mkdocs.yml": "site_name: Widget Docs\nnav:\n  - Home: index.md\n  - Guides:\n    - guides/install.md\n",
    "docs-main/docs/index.md": "# Widget\n\nStart with [installing](guides/install.md).\n",
    "docs-main/docs/guides/install.md": "---\ntitle: Install the widget\n---\n\n![shot](../img/shot.png)\n",
    "docs-main/docs/img/shot.png": real_png(),
}


def make_zip(files: dict[str, str | bytes], links: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, content in files.items():
            zf.writestr(name, content)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, target)
    return buffer.getvalue()


def make_tar(files: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tf:
        for name, content in files.items():
            data = content.encode() if isinstance(content, str) else content
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


async def test_zip_import_then_the_same_zip_changes_nothing(rest: Rest) -> None:
    archive = make_zip(FILES)
    first = await rest.call("POST", rest.p("/import"), content=archive, params={"approve": "true"})
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["applied"] and body["kind"] == "mkdocs"
    assert sorted((p["slug"], p["action"]) for p in body["pages"]) == [
        ("guides/install", "create"),
        ("index", "create"),
    ]
    assert {f["path"]: f["status"] for f in body["files"]}["docs/img/shot.png"] == "imported"
    images = (await rest.call("GET", rest.p("/images"))).json()["images"]
    install = await rest.core.pages.get_page(
        rest.world.manager, rest.world.project_id, PageRef(slug="guides/install")
    )
    assert len(images) == 1 and f"![shot]({images[0]['reference']})" in install.content
    plan = await rest.call("POST", rest.p("/import"), content=make_tar(FILES), params={"plan_only": "true"})
    assert plan.status_code == 200 and not plan.json()["applied"]
    assert {p["action"] for p in plan.json()["pages"]} == {"unchanged"}
    before = await snapshot(rest.core, rest.world.project_id)
    again = await rest.call("POST", rest.p("/import"), content=archive, params={"approve": "true"})
    assert {p["action"] for p in again.json()["pages"]} == {"unchanged"} and again.json()["written"] == []
    after = await snapshot(rest.core, rest.world.project_id)
    assert after.pop("audit") == before.pop("audit") + 1 and after == before


async def test_unsafe_archives_are_refused_and_nothing_is_written(rest: Rest) -> None:
    before = await snapshot(rest.core, rest.world.project_id)
    slip = await rest.call("POST", rest.p("/import"), content=make_zip({**FILES, "../evil.md": "# Evil\n"}))
    assert (slip.status_code, slip.json()["code"]) == (400, "archive_unsafe_path")
    link = await rest.call(
        "POST", rest.p("/import"), content=make_zip(FILES, links={"docs-main/docs/x.md": "/etc/passwd"})
    )
    assert (link.status_code, link.json()["code"]) == (400, "archive_link_entry")
    junk = await rest.call("POST", rest.p("/import"), content=b"not an archive at all")
    assert (junk.status_code, junk.json()["code"]) == (400, "archive_format")
    bad_query = await rest.call(
        "POST", rest.p("/import"), content=make_zip(FILES), params={"approve": "maybe"}
    )
    assert bad_query.status_code == 400
    assert await snapshot(rest.core, rest.world.project_id) == before


async def test_import_needs_a_manager_of_the_project(rest: Rest) -> None:
    archive = make_zip(FILES)
    assert (await rest.call("POST", rest.p("/import"), "editor", content=archive)).status_code == 403
    assert (await rest.call("POST", rest.p("/import"), "outsider", content=archive)).status_code == 404
    other = rest.p("/import", rest.world.other_project_id)
    assert (await rest.call("POST", other, "manager", content=archive)).status_code == 404
    key = await rest.key("manager")
    mismatch = await rest.call(
        "POST", other, {**key, "x-project-id": rest.world.other_project_id}, content=archive
    )
    assert mismatch.status_code == 403
    assert (await rest.client.post(rest.p("/import"), content=archive)).status_code == 401


async def test_an_archive_over_the_limit_is_413(rest: Rest, tokens: TokenPrincipals) -> None:
    rest.core.settings.import_max_archive_bytes = 64 * 1024
    async with running(build_app(rest.core, tokens)) as app:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            big = make_zip({"docs/a.md": "# A\n", "docs/blob.bin": bytes(range(256)) * 1024})
            answer = await client.post(
                rest.p("/import"), content=big, headers={"authorization": "Bearer manager-token"}
            )
    assert (answer.status_code, answer.json()["code"]) == (413, "payload_too_large")


async def test_git_connect_refusals_and_secrets(rest: Rest) -> None:
    url = rest.p("/git")
    off = await rest.call("PUT", url, json={"url": "https://example.com/acme/docs.git"})
    assert (off.status_code, off.json()["code"]) == (403, "module_disabled")
    await rest.core.modules.configure_module(
        rest.world.manager, rest.world.project_id, "github_sync", ModuleUpdate(enabled=True)
    )
    for bad, code in (
        ("http://example.com/acme/docs.git", "git_url_refused"),
        ("ssh://git@example.com/acme/docs.git", "git_url_refused"),
        ("git@example.com:acme/docs.git", "git_url_refused"),
        ("/srv/git/docs", "git_local_refused"),
        ("file:///srv/git/docs", "git_local_refused"),
    ):
        answer = await rest.call("PUT", url, json={"url": bad})
        assert (answer.status_code, answer.json()["code"]) == (400, code), bad
    assert (
        await rest.call("PUT", url, json={"url": "https://example.com/a.git", "folder": "../x"})
    ).status_code == 400
    assert (await rest.call("GET", url)).json()["code"] == "git_not_connected"
    ok = await rest.call(
        "PUT",
        url,
        json={
            "url": "https://example.com/acme/docs.git",
            "branch": "main",
            "folder": "docs",
            "token": "ghp_secret-token",
            "webhook_secret": "hook-secret",
        },
    )
    assert ok.status_code == 200, ok.text
    assert "ghp_secret-token" not in ok.text and "hook-secret" not in ok.text
    assert ok.json()["has_token"] and ok.json()["has_webhook_secret"]
    shown = await rest.call("GET", url)
    assert "ghp_secret-token" not in shown.text and shown.json()["folder"] == "docs"
    assert (
        await rest.call("PUT", url, "editor", json={"url": "https://example.com/a.git"})
    ).status_code == 403
    assert (await rest.call("GET", rest.p("/git", rest.world.other_project_id))).status_code == 404
    audit = await rest.call("GET", rest.p("/audit"))
    assert "ghp_secret-token" not in audit.text and "hook-secret" not in audit.text


async def test_webhook_without_a_connection_is_404(rest: Rest) -> None:
    answer = await rest.client.post(rest.p("/git/webhook"), content=b"{}", headers={"x-github-event": "push"})
    assert (answer.status_code, answer.json()["code"]) == (404, "git_not_connected")
    missing = await rest.client.post("/api/projects/prj_nope/git/webhook", content=b"{}")
    assert missing.json() == answer.json() | {"error": missing.json()["error"]}
