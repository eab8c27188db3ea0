"""Applying an import through the core: pages, source records, navigation, idempotence, removed files,
refusals that leave the project as it was."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from sqlmodel import select

from comstack_core.errors import Forbidden, NotFound, QuotaExceeded
from comstack_core.models import ImportSource, PageRevision
from comstack_core.schemas import PageRef
from comstack_core.schemas.images import ImageFilter
from comstack_core.schemas.imports import ImportRequest

from ...conftest import World
from ..importer.trees import PNG, write
from ..test_support import make_live, snapshot


def real_png(width: int = 8, height: int = 4) -> bytes:
    """A small valid PNG (the image store decodes what it stores)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes([200, 80, 40]) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


MKDOCS = {
    "mkdocs.yml": "site_name: Widget Docs\nnav:\n  - Home: index.md\n  - Guides:\n    - guides/install.md\n"
    "    - guides/use.md\n",
    "docs/index.md": "# Widget\n\nStart with [installing](guides/install.md).\n",
    "docs/guides/install.md": "---\ntitle: Install the widget\ndescription: How to install it.\n---\n\n"
    "!!! note\n    Needs Python.\n\n![shot](../img/shot.png)\n",
    "docs/guides/use.md": "# Use it\n\nSee [install](install.md#top).\n",
    "docs/img/shot.png": real_png(),
    "docs/guides/broken.md": "# Broken image\n\n![not really a png](../img/fake.png) and text.\n",
    "docs/img/fake.png": PNG,  # PNG magic, then nothing an image decoder accepts
}


def tree(tmp_path: Path, files: dict[str, str | bytes] | None = None) -> Path:
    return write(tmp_path / "site", files or MKDOCS)


async def _revision_count(world: World) -> int:
    async with world.core.db.read() as session:
        return len((await session.exec(select(PageRevision.id))).all())


async def test_import_writes_pages_records_and_navigation(world: World, tmp_path: Path) -> None:
    core, pid = world.core, world.project_id
    report = await core.imports.import_tree(world.manager, pid, tree(tmp_path), ImportRequest())
    assert report.applied and report.kind == "mkdocs"
    assert sorted((p.slug, p.action) for p in report.pages) == [
        ("guides/broken", "create"),
        ("guides/install", "create"),
        ("guides/use", "create"),
        ("index", "create"),
    ]
    assert sorted(report.written) == sorted(p.path for p in report.pages)
    page = await core.pages.get_page(world.manager, pid, PageRef(slug="guides/install"))
    assert page.title == "Install the widget" and page.status == "draft"
    assert "> [!NOTE]" in page.content
    use = await core.pages.get_page(world.manager, pid, PageRef(slug="guides/use"))
    assert "](/guides/install/#top)" in use.content
    nav = await core.navigation.get_navigation(world.manager, pid)
    assert [(g.title, g.page_slugs) for g in nav.sidebar_groups] == [
        ({"en": "Widget Docs"}, ["index"]),
        ({"en": "Guides"}, ["guides/install", "guides/use"]),
    ]
    files = {f.path: f for f in report.files}
    assert files["docs/img/shot.png"].status == "imported"
    assert files["docs/img/fake.png"].status == "failed" and files["docs/img/fake.png"].reason
    images = await core.images.list_images(world.manager, pid, ImageFilter())
    assert len(images.images) == 1
    assert f"![shot]({images.images[0].reference})" in page.content  # stored, and referenced by the page
    broken = await core.pages.get_page(world.manager, pid, PageRef(slug="guides/broken"))
    assert "not really a png and text." in broken.content and "image:" not in broken.content
    async with core.db.read() as session:
        records = {r.source_path: r.page_id for r in (await session.exec(select(ImportSource))).all()}
    assert records == {p.source_path: p.path for p in report.pages}


async def test_second_import_changes_nothing_and_edits_become_drafts(world: World, tmp_path: Path) -> None:
    core, pid = world.core, world.project_id
    root = tree(tmp_path)
    await core.imports.import_tree(world.manager, pid, root, ImportRequest(approve=True))
    before, revisions = await snapshot(core, pid), await _revision_count(world)
    again = await core.imports.import_tree(world.manager, pid, root, ImportRequest(approve=True))
    assert {p.action for p in again.pages} == {"unchanged"} and again.written == []
    after = await snapshot(core, pid)
    assert after.pop("audit") == before.pop("audit") + 1  # the run itself is audited, and nothing else
    assert after == before and await _revision_count(world) == revisions
    for page in again.pages:
        await make_live(core, page.path or "")
    (root / "docs/guides/use.md").write_text("# Use it\n\nNow with more steps.\n")
    (root / "docs/index.md").unlink()
    plan = await core.imports.import_tree(world.manager, pid, root, ImportRequest(plan_only=True))
    assert not plan.applied and plan.written == []
    third = await core.imports.import_tree(world.manager, pid, root, ImportRequest())
    actions = {p.slug: p.action for p in third.pages}
    assert actions == {
        "guides/use": "update",
        "guides/install": "unchanged",
        "guides/broken": "unchanged",
        "index": "removed",
    }
    assert {p.slug: p.action for p in plan.pages} == actions
    assert (await core.pages.get_page(world.manager, pid, PageRef(slug="index"))).status == "live"
    assert (await core.pages.get_page(world.manager, pid, PageRef(slug="guides/use"))).status == "draft"
    fourth = await core.imports.import_tree(world.manager, pid, root, ImportRequest(unpublish_removed=True))
    assert {p.slug: p.action for p in fourth.pages}["index"] == "unpublished"
    assert (await core.pages.get_page(world.manager, pid, PageRef(slug="index"))).status == "unpublished"


async def test_bad_files_are_reported_and_the_rest_imported(world: World, tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {
            "ok.md": "# Fine page\n",
            "broken.md": "---\ntitle: [unclosed\n---\nbody\n",
            "binary.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00binary",
            "huge.md": "# Huge\n\n" + "x" * (20 * 1024 * 1024),
        },
    )
    report = await world.core.imports.import_tree(world.manager, world.project_id, root, ImportRequest())
    failed = {f.path: f.code for f in report.files if f.status == "failed"}
    assert set(failed) == {"broken.md", "binary.md", "huge.md"}
    assert all(failed.values())
    assert [p.slug for p in report.pages] == ["ok"]


async def test_hand_made_page_is_not_taken_over(world: World, tmp_path: Path) -> None:
    from comstack_core.schemas import PageCreate

    await world.core.editing.create_page(world.editor, world.project_id, PageCreate(slug="ok", title="Mine"))
    root = tree(tmp_path, {"ok.md": "# Imported\n"})
    report = await world.core.imports.import_tree(world.manager, world.project_id, root, ImportRequest())
    assert [(p.slug, p.action) for p in report.pages] == [("ok", "conflict")]
    assert report.files[0].status == "failed" and report.files[0].code == "slug_in_use"
    assert (
        await world.core.pages.get_page(world.manager, world.project_id, PageRef(slug="ok"))
    ).title == "Mine"


async def test_refusals_leave_the_project_as_it_was(world: World, tmp_path: Path) -> None:
    core, pid = world.core, world.project_id
    root = tree(tmp_path)
    await core.plans.update_plan(world.admin, pid, _plan_with_pages(2))
    before = await snapshot(core, pid)
    with pytest.raises(Forbidden):
        await core.imports.import_tree(world.editor, pid, root, ImportRequest())
    with pytest.raises(NotFound):
        await core.imports.import_tree(world.outsider, pid, root, ImportRequest())
    with pytest.raises(NotFound):
        await core.imports.import_tree(world.manager, world.other_project_id, root, ImportRequest())
    with pytest.raises(QuotaExceeded):  # three pages, two allowed: none is written
        await core.imports.import_tree(world.manager, pid, root, ImportRequest())
    assert await snapshot(core, pid) == before


def _plan_with_pages(n: int):  # type: ignore[no-untyped-def]
    from comstack_core.schemas import PlanUpdate

    return PlanUpdate(quotas={"max_pages": n})


async def test_an_imported_page_may_not_take_another_pages_url(world: World, tmp_path: Path) -> None:
    """One public URL, one page: an imported default-locale 'es/precios' would be the Spanish page 'precios'
    (/es/precios/); it is refused with the reason, the rest of the import goes in."""
    from comstack_core.schemas import PageCreate, SettingsUpdate

    core, pid = world.core, world.project_id
    await core.project_settings.update_settings(
        world.manager, pid, SettingsUpdate(knowledge_locales=["en", "es"], custom_page_locales=["en", "es"])
    )
    await core.editing.create_page(
        world.editor, pid, PageCreate(slug="precios", language="es", title="Precios")
    )
    files = {
        "mkdocs.yml": "site_name: Widget Docs\n",
        "docs/index.md": "# Widget\n\nHello.\n",
        "docs/es/precios.md": "# Prices\n\nIn English.\n",
    }
    report = await core.imports.import_tree(world.manager, pid, tree(tmp_path, files), ImportRequest())
    actions = {p.slug: (p.action, p.reason) for p in report.pages}
    assert actions["index"][0] == "create"
    action, reason = actions["es/precios"]
    assert action == "failed" and "/es/precios/" in reason and "'precios' in es" in reason
    failed = next(f for f in report.files if f.path == "docs/es/precios.md")
    assert failed.status == "failed"
