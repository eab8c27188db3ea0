"""WebP variants for `srcset`: made once per (image sha256, width), then found again.

Rules:
- Widths come from `ImageConfig.variant_widths` (480/960/1600 by default). An image gets a variant only
  at the widths smaller than its own: never upscaled. The stored image itself is always the largest
  candidate in the srcset, at its own width, so nothing is lost when no variant exists.
- SVG: none (a vector scales by itself).
- Animated GIF/WebP/PNG: none. A variant would have to re-encode every frame at every width (frames x
  widths encodes on the publish path) and animations in documentation are mostly small screen captures;
  the stored animation is served at every width, with its width and height on the `<img>`.
- A variant is lossy WebP (quality `variant_quality`), keeps the colour profile of an RGB image, drops
  an alpha channel that is fully opaque, and converts CMYK to sRGB (browsers differ on CMYK).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Collection, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

from PIL import Image, ImageCms

from comstack_core.images.blobs import BlobStore, check_key
from comstack_core.images.config import DEFAULT_IMAGE_CONFIG, ImageConfig
from comstack_core.images.files import replace_file
from comstack_core.images.pipeline import ProcessedImage
from comstack_core.images.sniff import detect_format

CONTENT_TYPE = "image/webp"


@dataclass(frozen=True)
class Variant:
    source_sha256: str
    width: int
    height: int
    sha256: str  # the variant's own blob key
    size: int

    @property
    def content_type(self) -> str:
        return CONTENT_TYPE


class VariantIndex(Protocol):
    """Which variants exist for a source image (the integration may keep this in a database table)."""

    def get(self, source_sha256: str) -> dict[int, Variant]: ...

    def add(self, variant: Variant) -> None: ...


class FileVariantIndex:
    """One small JSON file per (source, width) under `root`: no two writers ever rewrite one file."""

    _NAME = re.compile(r"([0-9a-f]{64})-w([0-9]+)\.json")

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> FileVariantIndex:
        return cls(Path(data_dir) / "variants")

    def _dir(self, source_sha256: str) -> Path:
        return self.root / check_key(source_sha256)[:2]

    def get(self, source_sha256: str) -> dict[int, Variant]:
        found: dict[int, Variant] = {}
        directory = self._dir(source_sha256)
        if not directory.is_dir():
            return found
        for path in directory.glob(f"{source_sha256}-w*.json"):
            if self._NAME.fullmatch(path.name):
                variant = Variant(**json.loads(path.read_text()))
                found[variant.width] = variant
        return found

    def remove(self, source_sha256: str) -> None:
        """Forget every variant of a source (its blobs are the caller's to delete)."""
        directory = self._dir(source_sha256)
        for path in directory.glob(f"{source_sha256}-w*.json") if directory.is_dir() else ():
            path.unlink(missing_ok=True)

    def add(self, variant: Variant) -> None:
        directory = self._dir(variant.source_sha256)
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{variant.source_sha256}-w{variant.width}.json"
        replace_file(path, json.dumps(asdict(variant), sort_keys=True).encode())


def planned_widths(width: int, widths: Iterable[int]) -> list[int]:
    """The variant widths an image `width` pixels wide gets, smallest first."""
    return sorted({w for w in widths if 0 < w < width})


def _prepared(pixels: Image.Image, icc: bytes | None) -> tuple[Image.Image, bytes | None]:
    """The pixels in a mode WebP takes (RGB or RGBA) and the colour profile that goes with them."""
    image = pixels
    if image.mode == "CMYK":
        if icc:
            try:
                source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
                converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode="RGB")
                if converted is not None:
                    return converted, None
            except ImageCms.PyCMSError:
                pass
        return image.convert("RGB"), None
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        # 16-bit greyscale: scale to 8 bits (a plain convert would clip everything above 255).
        image = image.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    if image.mode in ("LA", "PA", "RGBa", "La") or (image.mode == "P" and "transparency" in image.info):
        image = image.convert("RGBA")
    elif image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGB")
    if image.mode == "RGBA" and image.getchannel("A").getextrema() == (255, 255):
        image = image.convert("RGB")
    return image, icc


def render_variants(
    pixels: Image.Image,
    widths: Iterable[int],
    config: ImageConfig = DEFAULT_IMAGE_CONFIG,
    icc: bytes | None = None,
    only: Collection[int] | None = None,
) -> list[tuple[int, int, bytes]]:
    """(width, height, WebP bytes) for each of `widths` no wider than `pixels` (or those in `only`),
    largest first. Pure: nothing is stored."""
    base, profile = _prepared(pixels, icc)
    full_w, full_h = base.size
    rendered = []
    current = base
    for width in sorted({w for w in widths if 0 < w <= full_w}, reverse=True):
        height = max(1, round(full_h * width / full_w))
        # Each smaller size is made from the one before it: the same quality with LANCZOS at these
        # ratios, at a fraction of the cost of starting from a large original every time. The chain
        # always runs through every planned width, so a variant's bytes do not depend on which others
        # were made with it (one made again later is the same blob).
        current = current.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        if only is not None and width not in only:
            continue
        out = io.BytesIO()
        current.save(
            out, format="WEBP", quality=config.variant_quality, method=config.variant_method, icc_profile=profile
        )
        rendered.append((width, height, out.getvalue()))
    return rendered


def _stored_pixels(data: bytes, largest: int) -> tuple[Image.Image, bytes | None]:
    """Decode a stored image for its variants. Variants are always made from the stored bytes (or pixels
    known to equal them), so a variant made again later, or by another process, is the same blob."""
    opened = Image.open(io.BytesIO(data))
    if opened.format == "JPEG":
        # DCT scaling: decode at 1/2, 1/4 or 1/8 of the size when that still covers the largest variant
        # (a 12 Mpx photo decodes as 3 Mpx for a 1600 px variant: about four times less work).
        opened.draft(None, (largest, max(1, round(opened.height * largest / opened.width))))
    opened.load()
    return opened, opened.info.get("icc_profile")


def ensure_variants(
    source_sha256: str,
    blobs: BlobStore,
    index: VariantIndex,
    config: ImageConfig = DEFAULT_IMAGE_CONFIG,
    image: ProcessedImage | None = None,
) -> list[Variant]:
    """The variants of the stored image `source_sha256`, smallest first, making the missing ones.

    Pass `image` (the `process_image` result) right after an upload to skip reading the blob (and, for
    lossless images, decoding it). Safe to run twice at once: both make the same bytes, and the blob
    store keeps one copy.
    """
    check_key(source_sha256)
    if image is not None:
        data, kind, width, frames = image.data, image.format, image.width, image.frames
    else:
        data = blobs.read(source_sha256)
        kind, width, frames = detect_format(data) or "unknown", 0, 1
        if kind not in ("svg", "unknown"):
            header = Image.open(io.BytesIO(data))
            width = header.width
            frames = 1 if kind == "jpeg" else int(getattr(header, "n_frames", 1))
    if kind in ("svg", "unknown") or frames > 1:
        return []
    wanted = planned_widths(width, config.variant_widths)
    have = index.get(source_sha256)
    missing = {w for w in wanted if w not in have or not blobs.exists(have[w].sha256)}
    if missing:
        if image is not None and image.pixels is not None:
            pixels, icc = image.pixels, image.icc_profile
        else:
            pixels, icc = _stored_pixels(data, wanted[-1])
        for w, h, webp in render_variants(pixels, wanted, config, icc, only=missing):
            variant = Variant(source_sha256, w, h, blobs.put(webp), len(webp))
            index.add(variant)
            have[w] = variant
    return [have[w] for w in wanted]
