"""Uploaded images on the published site: hashed hard-linked files, sized lazy <img> with a WebP srcset,
absolute URLs in the Markdown copies and llms-full.txt, a second publish that places nothing, deletion
refused while a live page shows the image, and the page in headless Chromium."""

from __future__ import annotations

import os
import re

import pytest

from comstack_core import Core
from comstack_core.errors import Conflict
from comstack_core.schemas import PageCreate, PageRef, PageStatusUpdate, PageUpdate
from comstack_core.schemas.images import ImageDelete
from comstack_http.app import create_app

from ...conftest import World
from ...core.images.factory import encode, natural
from ...core.publishing.harness import free_port, publish_and_run
from ...lifespan import serve
from ..publishing.test_browser import ARGS, chromium, playwright_api  # noqa: F401  (the fixture)

DESCRIPTION = "How the widget looks from the front, with a labelled photo of each of its parts."


async def _live_page(core: Core, world: World, content: str) -> str:
    saved = await core.editing.create_page(world.editor, world.project_id, PageCreate(
        slug="guides/photo", title="The widget in pictures", description=DESCRIPTION, content=content))
    await core.pages.set_page_status(
        world.editor, world.project_id, PageRef(path=saved.page.path), PageStatusUpdate(status="ready", project_name=world.project_name))
    return saved.page.path


async def test_published_page_with_an_uploaded_image(world: World, chromium: str) -> None:  # noqa: F811
    port = free_port()
    settings = world.core.settings.model_copy(
        update={"public_url": f"http://127.0.0.1:{port}", "run_publish_jobs": False})
    async with Core.open(settings) as core:  # the URLs the browser will use
        image = await core.images.store_image(
            world.editor, world.project_id, encode(natural(2000, 1200), "JPEG", quality=90), alt="The widget")
        path = await _live_page(core, world, f"# The widget in pictures\n\n![The widget, front view]({image.reference})\n")
        done = await publish_and_run(core, world.manager, world.project_id, world.project_name)
        assert done.status == "succeeded", done.error
        project = await core.projects.get_project(world.manager, world.project_id)
        site_dir = settings.sites_dir / world.project_id / "current"
        html = (site_dir / "guides/photo/index.html").read_text()
        tag = re.search(r"<img [^>]*>", html)
        assert tag is not None, html
        img = tag.group(0)
        for attribute in ('width="2000"', 'height="1200"', 'loading="lazy"', 'decoding="async"', "srcset=", "sizes="):
            assert attribute in img, (attribute, img)
        assert all(f" {w}w" in img for w in (480, 960, 1600, 2000))
        names = re.findall(r"assets/img/([0-9a-f]{20}\.(?:jpg|webp))", img)
        assert len(set(names)) == 4
        stored = core.images.storage.blobs.path(image.sha256)
        published = site_dir / "assets/img" / f"{image.sha256[:20]}.jpg"
        assert os.stat(published).st_ino == os.stat(stored).st_ino  # a hard link, not a copy
        site_url = f"http://127.0.0.1:{port}/sites/{project.slug}/"
        absolute = f"![The widget, front view]({site_url}assets/img/{image.sha256[:20]}.jpg)"
        assert absolute in (site_dir / "guides/photo.md").read_text()
        assert absolute in (site_dir / "llms-full.txt").read_text()

        # Deleting the image is refused while the live page shows it, naming the page.
        with pytest.raises(Conflict) as in_use:
            await core.images.delete_image(world.manager, world.project_id, image.id,
                                           ImageDelete(project_name=world.project_name))
        assert in_use.value.code == "image_in_use" and "guides/photo" in in_use.value.message

        # Another edit, no new image: the next publish places no image file again.
        await core.editing.update_page(world.editor, world.project_id, PageRef(path=path), PageUpdate(
            base_version=(await core.pages.get_page(world.editor, world.project_id, PageRef(path=path))).version,
            content=f"# The widget in pictures\n\nNew words.\n\n![The widget, front view]({image.reference})\n"))
        await core.pages.set_page_status(
            world.editor, world.project_id, PageRef(path=path), PageStatusUpdate(status="ready", project_name=world.project_name))
        inode = os.stat(site_dir.resolve() / "assets/img" / f"{image.sha256[:20]}.jpg").st_ino
        again = await publish_and_run(core, world.manager, world.project_id, world.project_name)
        assert again.status == "succeeded", again.error
        assert os.stat(site_dir.resolve() / "assets/img" / f"{image.sha256[:20]}.jpg").st_ino == inode

    with serve(create_app(settings), port=port) as base:
        async with playwright_api.async_playwright() as p:
            browser = await p.chromium.launch(executable_path=chromium, args=ARGS)
            try:
                page = await browser.new_page(viewport={"width": 800, "height": 900})
                problems: list[str] = []
                page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
                page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
                page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
                await page.goto(f"{base}/sites/{project.slug}/guides/photo/")
                picture = page.locator("main img").first
                await picture.scroll_into_view_if_needed()
                await page.wait_for_function(
                    "() => { const i = document.querySelector('main img'); return i && i.complete && i.naturalWidth > 0 }")
                natural_width = await picture.evaluate("i => i.naturalWidth")
                current = await picture.evaluate("i => i.currentSrc")
                assert natural_width > 0
                assert current.endswith(".webp"), current  # the srcset resolved to a variant
                assert await picture.get_attribute("alt") == "The widget, front view"
                assert problems == []
            finally:
                await browser.close()
