"""bytes -> ProcessedImage, or a refusal that says what was wrong and what to send instead."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from PIL import Image

from comstack_core.images.config import DEFAULT_IMAGE_CONFIG, ImageConfig
from comstack_core.images.errors import ACCEPTED, ImageRejected
from comstack_core.images.raster import decode
from comstack_core.images.sniff import CONTENT_TYPES, EXTENSIONS, describe, detect_format, find_markup
from comstack_core.images.svg import sanitize_svg


@dataclass(frozen=True)
class ProcessedImage:
    """What is stored for an upload: always a fresh encoding, never the uploaded bytes."""

    format: str  # png | jpeg | gif | webp | svg
    width: int
    height: int
    data: bytes = field(repr=False)
    sha256: str
    frames: int
    # The stored image's pixels when known without decoding it (lossless rasters), for the variants.
    pixels: Image.Image | None = field(default=None, repr=False, compare=False)
    icc_profile: bytes | None = field(default=None, repr=False, compare=False)

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def animated(self) -> bool:
        return self.frames > 1

    @property
    def vector(self) -> bool:
        return self.format == "svg"


def process_image(data: bytes, config: ImageConfig = DEFAULT_IMAGE_CONFIG) -> ProcessedImage:
    """Inspect `data` from its bytes alone and return what to store. Raises `ImageRejected` (an
    `InvalidInput`) with one of the codes: image_empty, image_type_unsupported, image_polyglot,
    image_corrupt, image_too_many_pixels, image_too_many_frames, svg_invalid, svg_unsafe,
    svg_size_unknown."""
    if not data:
        raise ImageRejected(f"The file is empty. {ACCEPTED}", code="image_empty")
    fmt = detect_format(data)
    if fmt is None:
        raise ImageRejected(
            f"The file is {describe(data)}, not an image ComStack accepts (the type is read from the "
            f"bytes, not the file name or Content-Type). {ACCEPTED}",
            code="image_type_unsupported",
        )
    if fmt == "svg":
        svg = sanitize_svg(data)
        return ProcessedImage("svg", svg.width, svg.height, svg.data, _sha256(svg.data), 1)
    # A raster with markup in it is built to be read as HTML by something (a polyglot). Re-encoding
    # would drop the payload anyway; refusing says plainly that the file is not what it claims.
    at = find_markup(data)
    if at is not None:
        raise ImageRejected(
            f"The file is a {fmt.upper()} image with HTML or script inside it (at byte {at}), which is how "
            "files are made to be both an image and a web page. Such files are refused: export the "
            "image again from an image editor or take a fresh screenshot.",
            code="image_polyglot",
            offset=at,
        )
    raster = decode(data, fmt, config)
    return ProcessedImage(
        fmt,
        raster.width,
        raster.height,
        raster.data,
        _sha256(raster.data),
        raster.frames,
        raster.pixels,
        raster.icc_profile,
    )


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
