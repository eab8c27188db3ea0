"""A real MkDocs project no one here wrote, the documentation of pymdown-extensions (its sdist from PyPI),
imported through the core, published, and checked: every page live, the sidebar in mkdocs.yml's order,
no broken internal link in the published site's gate; a second import changes nothing."""

from __future__ import annotations

from comstack_core.publishing import deploy
from comstack_core.schemas import PageFilter, PlanUpdate
from comstack_core.schemas.images import ImageFilter
from comstack_core.schemas.imports import ImportRequest
from comstack_core.site import check_site

from ..conftest import World
from ..core.importer.test_pymdown_docs import _source
from ..core.publishing.harness import publish_and_run
from ..core.test_support import snapshot


async def test_pymdown_docs_import_publish_and_again(world: World) -> None:
    core, pid = world.core, world.project_id
    root = _source()
    await core.plans.update_plan(world.admin, pid, PlanUpdate(tier="standard", quotas={"max_pages": 1000}))
    report = await core.imports.import_tree(world.manager, pid, root, ImportRequest(approve=True))
    assert report.counts["files_failed"] == 0
    created = [p for p in report.pages if p.action == "create"]
    assert len(created) == len(report.pages) > 40
    assert {p.action for p in report.pages} == {"create"}

    status = await publish_and_run(core, world.manager, pid, world.project_name)
    assert status.status == "succeeded", status.error
    served = deploy.served_dir(core.settings.sites_dir, pid)
    assert served is not None
    assert check_site(served, status.site_url) == []  # the gate, run again over the whole published site

    listed = await core.pages.list_pages(world.manager, pid, PageFilter(limit=500))
    assert {p.slug for p in listed.pages} == {p.slug for p in report.pages}
    assert {p.status for p in listed.pages} == {"live"}
    nav = await core.navigation.get_navigation(world.manager, pid)
    assert [(g.title["en"], g.page_slugs) for g in nav.sidebar_groups] == [
        (g.title, g.page_slugs) for g in report.navigation
    ]
    assert [g.action for g in report.navigation] == ["create"] * len(report.navigation)
    images = [f for f in report.files if f.code == "image" or f.path.endswith((".png", ".gif", ".jpg"))]
    assert images and all(f.status == "imported" for f in images if f.code == "image")
    stored = await core.images.list_images(world.manager, pid, ImageFilter(limit=500))
    assert stored.images and all(i.reference.startswith("image:img_") for i in stored.images)
    for slug in ("extensions/arithmatex", "extensions/blocks/plugins/tab"):
        assert (served / slug / "index.html").is_file()

    before = await snapshot(core, pid)
    again = await core.imports.import_tree(world.manager, pid, root, ImportRequest(approve=True))
    assert {p.action for p in again.pages} == {"unchanged"} and again.written == []
    assert {g.action for g in again.navigation} == {"unchanged"}
    after = await snapshot(core, pid)
    assert after.pop("audit") == before.pop("audit") + 1 and after == before
