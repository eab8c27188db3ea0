"""Local images of an imported tree, handed to the project's image store.

`store_image` is the one place the import meets the image store. Until this installation has one,
it stores nothing: each image file is reported as skipped and pages keep the importer's
`image:<sha256>` placeholder, so a later import with an image store can put the image in.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from ..auth import Principal
from ..importer import FileReport, ImportPlan, PlannedImage
from .base import Context

IMAGES_UNAVAILABLE = "skipped (images not available)"


async def store_image(
    ctx: Context, principal: Principal, project_id: str, image: PlannedImage, data: bytes
) -> str | None:
    """Store one image's bytes for the project; the reference pages use for it, or None when not stored."""
    return None


async def store_images(
    ctx: Context,
    principal: Principal,
    project_id: str,
    root: Path,
    plan: ImportPlan,
    reports: dict[str, FileReport],
) -> None:
    """Store every image the plan's pages show and swap their placeholders for the stored references."""
    for image in plan.images:
        data = await asyncio.to_thread((root / image.source_path).read_bytes)
        reference = await store_image(ctx, principal, project_id, image, data)
        report = reports.get(image.source_path)
        if reference is None:
            if report is not None:
                report.settle("skipped", "images_unavailable", IMAGES_UNAVAILABLE)
            continue
        for page in plan.pages:
            if image.sha256 in page.images:
                page.content = page.content.replace(image.placeholder, reference)
