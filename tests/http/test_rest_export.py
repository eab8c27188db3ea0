"""GET /api/projects/{id}/export: the project as a .zip for managers, which POST .../import reads back."""

from __future__ import annotations

import io
import zipfile

from comstack_core.schemas import ProjectCreate

from ..core.backup.site import publish_site
from .conftest import Rest


async def test_export_zip_imports_into_a_new_project(rest: Rest) -> None:
    world = rest.world
    await publish_site(rest.core, world.manager, world.project_id, world.project_name)
    answer = await rest.call("GET", rest.p("/export"))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/zip"
    assert f'filename="{world.project_id}.zip"' in answer.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        names = set(archive.namelist())
        assert {"mkdocs.yml", "comstack.yml", "docs/index.md", "docs/guides/setup.md"} <= names
        assert sum(name.startswith("docs/images/") for name in names) == 2
        assert archive.read("docs/guides/setup.md").startswith(b"---\ntitle: Set up the widget\n")

    copy = await rest.core.projects.create_project(world.manager, ProjectCreate(name="Acme Copy"))
    imported = await rest.call("POST", rest.p("/import", copy.id), content=answer.content, params={"approve": "true"})
    assert imported.status_code == 200, imported.text
    assert sorted(p["slug"] for p in imported.json()["pages"] if p["action"] == "create") == [
        "guides/setup", "guides/use", "index", "reference/api",
    ]
    nav = await rest.core.navigation.get_navigation(world.manager, copy.id)
    assert [g.icon for g in nav.sidebar_groups] == ["menu_book", "code"] and len(nav.header_nav_items) == 1


async def test_export_is_for_managers(rest: Rest) -> None:
    for who in ("viewer", "editor"):
        refused = await rest.call("GET", rest.p("/export"), who)
        assert refused.status_code == 403 and refused.json()["code"] == "role_too_low", refused.text
    assert (await rest.call("GET", rest.p("/export"), "outsider")).status_code in (403, 404)
