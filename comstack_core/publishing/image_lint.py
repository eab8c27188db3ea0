"""Lint of the images pages name: an image that is not in the project blocks the publish (the page
would show a hole), an image without alt text is a warning."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..errors import InvalidInput
from ..images.refs import ImageUse, page_images
from ..models import Image

MISSING = "image-missing"
NO_ALT = "image-alt-missing"


async def image_findings(
    session: AsyncSession, project_id: str, uses: list[tuple[Any, ImageUse]]
) -> list[dict[str, str]]:
    """Findings for the images pages show (``image_uses``): a missing one, or one without alt text."""
    if not uses:
        return []
    ids = sorted({u.image_id for _, u in uses if u.image_id})
    alts: dict[str, str] = {}
    if ids:
        rows = await session.exec(
            select(Image.id, Image.alt).where(Image.project_id == project_id, col(Image.id).in_(ids))
        )
        alts = {image_id: alt for image_id, alt in rows}
    findings = []
    for page, use in uses:
        if use.image_id is not None and use.image_id not in alts:
            rule = MISSING
            message = (
                f"Image {use.src!r} is not in this project (deleted, or a typo): upload it (upload-image) and use its "
                "reference, or remove it from the page. This blocks publishing."
            )
        elif not use.alt.strip() and not (use.image_id and alts.get(use.image_id)):
            rule = NO_ALT
            message = (
                f"Image {use.src[:80]!r} has no alt text: say what it shows, for people who cannot see it."
            )
        else:
            continue
        findings.append({"slug": page.slug, "language": page.language, "rule": rule, "message": message})
    return findings


def image_uses(pages: list[tuple[Any, Any]], public_url: str) -> list[tuple[Any, ImageUse]]:
    """(page, image) for each image these (page, revision) rows show; seconds of parsing for thousands of
    pages, so callers run it off the event loop."""
    uses: list[tuple[Any, ImageUse]] = []
    for page, rev in pages:
        body = rev.body_source if page.page_type == "custom" else None
        uses.extend((page, use) for use in page_images(rev.content, body, public_url))
    return uses


def check_no_missing_images(findings: list[dict[str, str]]) -> None:
    missing = [f for f in findings if f["rule"] == MISSING]
    if missing:
        pages = sorted({f"{f['slug']} ({f['language']})" for f in missing})
        raise InvalidInput(
            f"{len(missing)} image reference(s) name images that are not in this project, on: {', '.join(pages)}. "
            + missing[0]["message"],
            code="image_missing",
            findings=missing[:50],
        )
