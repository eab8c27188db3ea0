"""Inputs and views of images (SPEC §13)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from .base import NAME_ECHO_DOC, Input, View

ALT_MAX = 1000
ALT_DOC = (
    "Alternative text: what the image shows, for people who cannot see it and for search (up to 1000 "
    "characters). Pages may also give their own in ![alt](...)."
)


class ImageView(View):
    id: str = Field(description="The image's id, e.g. 'img_...'.")
    reference: str = Field(description="How a Markdown page names it: ![alt](image:img_...).")
    url: str = Field(description="Where the stored image is served; also accepted in pages.")
    content_type: str
    format: str = Field(description="png, jpeg, gif, webp or svg (read from the bytes).")
    width: int
    height: int
    bytes: int = Field(description="Size of the stored image (metadata stripped, re-encoded).")
    sha256: str = Field(description="SHA-256 of the stored bytes; the same bytes are stored once.")
    alt: str
    created_at: datetime
    created_by: str | None = None


class ImageList(View):
    total: int
    images: list[ImageView] = Field(description="Newest first.")
    used_bytes: int = Field(description="Storage the project's images use.")
    quota_bytes: int = Field(description="The plan's image storage (max_image_mb).")


class ImageFilter(Input):
    limit: int = Field(
        default=50, ge=1, le=500, description="How many images to return, newest first (1-500)."
    )
    offset: int = Field(
        default=0,
        ge=0,
        le=2**31 - 1,
        description="How many images to skip first, for the next page of results.",
    )


class ImageUpdate(Input):
    alt: str = Field(max_length=ALT_MAX, description=ALT_DOC)


class ImageDelete(Input):
    project_name: str = Field(description=NAME_ECHO_DOC)
    force: bool = Field(
        default=False,
        description="Delete even though live pages show the image (they lose it at their next publish, "
        "which lint then blocks until the reference is removed).",
    )


class ImageDeleted(View):
    deleted: bool
    id: str
    pages: list[str] = Field(default=[], description="Live pages that used the image (when forced).")


class PageImageView(View):
    """An image a page's content names, as the editor-facing read resolves it."""

    reference: str = Field(description="The source as written in the page.")
    id: str
    found: bool = Field(description="False: no such image in this project (publishing is blocked).")
    url: str | None = None
    width: int | None = None
    height: int | None = None
    alt: str | None = Field(default=None, description="The image's stored alt text.")
