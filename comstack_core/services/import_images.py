"""Local images of an imported tree, stored through the project's image service.

`store_image` is the one place an import meets the image store. A stored image's reference
(`image:img_…`) replaces the importer's placeholder in every page that shows it; an image the store
refuses (not a real image, unsafe SVG, too large, the image quota) is a failed line of the report,
and the pages keep only its alt text, so no page is left pointing at an image that does not exist.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from ..auth import Principal
from ..errors import DomainError
from ..importer import FileReport, ImportPlan, PlannedImage
from .images import ImageService


async def store_image(
    images: ImageService, principal: Principal, project_id: str, image: PlannedImage, data: bytes
) -> str:
    """Store one image's bytes for the project; the reference pages write for it. DomainError if refused."""
    stored = await images.store_image(principal, project_id, data)
    return stored.reference


async def store_images(
    images: ImageService,
    principal: Principal,
    project_id: str,
    root: Path,
    plan: ImportPlan,
    reports: dict[str, FileReport],
) -> None:
    """Store every image the plan's pages show and swap their placeholders for the stored references."""
    for image in plan.images:
        data = await asyncio.to_thread((root / image.source_path).read_bytes)
        report = reports.get(image.source_path)
        try:
            reference = await store_image(images, principal, project_id, image, data)
        except DomainError as exc:
            if report is not None:
                report.settle("failed", exc.code, f"Not stored as an image: {exc.message}")
            for page in plan.pages:
                if image.sha256 in page.images:
                    page.content = drop(page.content, image.placeholder)
            continue
        for page in plan.pages:
            if image.sha256 in page.images:
                page.content = page.content.replace(image.placeholder, reference)


def drop(content: str, placeholder: str) -> str:
    """`![alt](placeholder)` becomes `alt`; any other use of the placeholder (HTML, a definition) `#`."""
    content = re.sub(
        r"!\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\(\s*" + re.escape(placeholder) + r"[^)\n]*\)", r"\1", content
    )
    return content.replace(placeholder, "#")
