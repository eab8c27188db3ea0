"""Export a project as files, import them into a new project, publish: the two sites are the same page for
page (URLs, rendered text, images, sidebar navigation), custom pages and their images included."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from selectolax.lexbor import LexborHTMLParser

from comstack_core import Core
from comstack_core.errors import InvalidInput
from comstack_core.schemas import CustomPageUpload, PageRef, PageStatusUpdate, ProjectCreate, ThemeUpdate
from comstack_core.schemas.imports import ImportRequest

from ...conftest import World
from ..publishing.harness import publish_and_run, served_dir, snapshot
from .site import png, publish_site


@pytest.fixture
def backend() -> str:
    return "sqlite"


def site_pages(root: Path, slug: str) -> dict[str, str]:
    """Every page of a built site -> its rendered text, the project's own URL part made neutral."""
    out = {}
    for path in sorted(root.rglob("*.html")):
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        tree = LexborHTMLParser(path.read_text())
        body = tree.body
        assert body is not None
        out[path.relative_to(root).as_posix()] = " ".join(body.text(separator=" ").split()).replace(slug, "SITE")
    return out


def site_images(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in (root / "assets" / "img").rglob("*") if p.is_file()}


async def test_export_import_publish_gives_the_same_site(world: World, tmp_path: Path) -> None:
    core: Core = world.core
    theme = ThemeUpdate.model_validate({"project_name": world.project_name, "colors": {"primary": "#aa3300"},
                                        "fonts": {"heading": "Georgia, serif"}})
    await core.navigation.update_theme(world.manager, world.project_id, theme)
    # A custom page showing an uploaded image by its URL (as custom pages name images).
    green = await core.images.store_image(world.manager, world.project_id, png((20, 160, 40)), alt="Green")
    await core.custom_pages.upload_custom_page(world.manager, world.project_id, CustomPageUpload(
        project_name=world.project_name, slug="contact", title="Contact the widget team",
        description="How to reach the people who make the widget, by mail or phone, and when they answer.",
        body=f'<h1>Contact us</h1><p>Write to the team.</p><img src="{green.url}" alt="A green square">'))
    await core.pages.set_page_status(world.manager, world.project_id, PageRef(slug="contact"),
                                     PageStatusUpdate(status="ready", project_name=world.project_name))
    await publish_site(core, world.manager, world.project_id, world.project_name)
    summary = await core.exports.export_project(world.manager, world.project_id, tmp_path / "export")
    assert (summary.pages, summary.custom_pages, summary.images, summary.drafts) == (4, 1, 3, 0)
    assert (tmp_path / "export" / "mkdocs.yml").is_file() and (tmp_path / "export" / "docs/guides/setup.md").is_file()

    copy = await core.projects.create_project(world.manager, ProjectCreate(name=world.project_name))
    report = await core.imports.import_tree(
        world.manager, copy.id, tmp_path / "export", ImportRequest(approve=True)
    )
    assert not [f for f in report.files if f.status == "failed"], report.files
    assert [(f.path, f.status) for f in report.files if f.path.startswith("custom/")] == [
        ("custom/contact.html", "imported")]
    again = await core.imports.import_tree(world.manager, copy.id, tmp_path / "export", ImportRequest(approve=True))
    assert not again.failed, again.files  # the custom page updated from the version it has, not refused
    status = await publish_and_run(core, world.manager, copy.id, copy.name)
    assert status.status == "succeeded", status

    original = await core.projects.get_project(world.manager, world.project_id)
    first, second = served_dir(core, world.project_id), served_dir(core, copy.id)
    assert site_pages(second, copy.slug) == site_pages(first, original.slug)
    assert site_images(second) == site_images(first) and site_images(first)
    nav = await core.navigation.get_navigation(world.manager, copy.id)
    assert [(g.title, g.icon, g.page_slugs) for g in nav.sidebar_groups] == [
        ({"en": "Guides"}, "menu_book", ["guides/setup", "guides/use"]),
        ({"en": "Reference"}, "code", ["reference/api"]),
    ]
    assert [(i.label, i.target) for i in nav.header_nav_items] == [({"en": "Setup"}, "guides/setup")]
    copied = await core.navigation.get_theme(world.manager, copy.id)
    assert copied.theme == (await core.navigation.get_theme(world.manager, world.project_id)).theme
    assert not copied.pending
    assert snapshot(second / "assets") == snapshot(first / "assets")  # theme CSS, scripts and images, byte for byte


async def test_export_refuses_a_folder_with_files(world: World, tmp_path: Path) -> None:
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "keep.txt").write_text("mine")
    with pytest.raises(InvalidInput) as refused:
        await world.core.exports.export_project(world.manager, world.project_id, tmp_path / "busy")
    assert refused.value.code == "export_target_not_empty"
    assert [p.name for p in (tmp_path / "busy").iterdir()] == ["keep.txt"]


def _tree(root: Path, custom: list[dict[str, str]]) -> Path:
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "index.md").write_text("---\ntitle: Welcome home\n---\n\nStart here.\n")
    (root / "comstack.yml").write_text(yaml.safe_dump({"custom_pages": custom}))
    return root


ABOUT = {"slug": "about", "language": "en", "title": "About the widget team",
         "description": "Who makes the widget, where the team works, and how to reach every one of them."}


async def test_import_reports_each_custom_page_and_refuses_paths_outside_the_tree(
    world: World, tmp_path: Path
) -> None:
    root = _tree(tmp_path / "tree", [
        {**ABOUT, "file": "custom/about.html"},
        {**ABOUT, "slug": "legacy", "file": "custom/legacy.html"},
    ])
    (root / "custom").mkdir()
    (root / "custom" / "about.html").write_text("<h1>About us</h1><p>We make the widget.</p>")
    (root / "custom" / "legacy.html").write_bytes(b"<h1>Caf\xe9</h1>")  # Latin-1, not UTF-8
    report = await world.core.imports.import_tree(world.manager, world.project_id, root, ImportRequest())
    custom = {f.path: (f.status, f.code) for f in report.files if f.path.startswith("custom/")}
    assert custom == {"custom/about.html": ("imported", ""), "custom/legacy.html": ("failed", "not_utf8")}

    outside = _tree(tmp_path / "other", [{**ABOUT, "file": "../tree/custom/about.html"}])
    with pytest.raises(InvalidInput) as refused:
        await world.core.imports.import_tree(world.manager, world.project_id, outside, ImportRequest())
    assert refused.value.code == "site_file_invalid" and "inside the tree" in refused.value.message
