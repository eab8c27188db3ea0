"""A published project with images and navigation, made through the services: what backups, restores and
exports must carry over."""

from __future__ import annotations

import io

from PIL import Image

from comstack_core import Core, Principal
from comstack_core.schemas import NavigationUpdate

from ..publishing.harness import add_ready_pages, publish_and_run


def png(colour: tuple[int, int, int], width: int = 600, height: int = 400) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


async def publish_site(core: Core, who: Principal, project_id: str, project_name: str) -> list[str]:
    """Pages naming an uploaded image, a sidebar group and a header link, published; the image ids."""
    first = await core.images.store_image(who, project_id, png((200, 30, 30)), alt="A red square")
    second = await core.images.store_image(who, project_id, png((30, 30, 200), 300, 200), alt="Blue")
    pages = [
        ("index", "Welcome", f"Start here.\n\n![A red square]({first.reference})\n\nSee [setup](guides/setup)."),
        ("guides/setup", "Set up the widget", "1. Unpack.\n2. Plug in.\n\n> **Note** keep the box."),
        ("guides/use", "Use the widget", f"Press the button.\n\n![Blue]({second.reference})"),
        ("reference/api", "API reference", "| verb | path |\n|---|---|\n| GET | /widgets |\n"),
    ]
    await add_ready_pages(core, who, project_id, project_name, pages)
    await core.navigation.update_navigation(who, project_id, NavigationUpdate.model_validate({
        "sidebar_groups": [
            {"title": {"en": "Guides"}, "icon": "menu_book", "page_slugs": ["guides/setup", "guides/use"]},
            {"title": {"en": "Reference"}, "icon": "code", "page_slugs": ["reference/api"]},
        ],
        "header_nav_items": [{"label": {"en": "Setup"}, "target": "guides/setup"}],
    }))
    status = await publish_and_run(core, who, project_id, project_name)
    assert status.status == "succeeded", status
    return [first.id, second.id]
