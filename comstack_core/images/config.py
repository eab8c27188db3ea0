"""The knobs of image processing and resumable uploads, with their defaults.

Plain frozen dataclasses so the pipeline and the stores can be used (and tested) without a `Settings`;
the application builds them from its settings once.
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class ImageConfig:
    # A decompression bomb is a small file that decodes to a huge bitmap. These limits are checked from
    # the header, before any pixel is decoded. 50 Mpx admits the 48-50 Mpx photos of current phones
    # (8160 x 6120) and stays under Pillow's own 89 Mpx warning; decoded RGBA costs 4 bytes a pixel.
    max_pixels: int = 50_000_000
    # Animations: every frame is decoded and kept while re-encoding, so the budget is over all frames.
    max_frames: int = 1000
    max_animation_pixels: int = 100_000_000
    # srcset widths in CSS pixels; an image gets a variant only at the widths smaller than its own.
    variant_widths: tuple[int, ...] = (480, 960, 1600)
    # Lossy WebP quality of the variants (libwebp's 0-100 scale) and its effort (0 fast .. 6 small).
    variant_quality: int = 80
    variant_method: int = 4
    # Quality used when a lossy WebP upload is re-encoded (it has no quality="keep" like JPEG).
    webp_reencode_quality: int = 90
    # PNG is always lossless. It is written at this zlib level, then optimised (level 9 and the best
    # filter) only if that first pass already shrank the pixels below `png_optimize_below` of their raw
    # size: screenshots and diagrams, where optimising is fast and saves a few percent. On photographic
    # PNGs it takes up to 15x the time (seconds a megapixel, while the upload waits) for 5-8 %.
    png_compress_level: int = 6
    png_optimize_below: float = 0.10


@dataclass(frozen=True)
class UploadConfig:
    max_upload_bytes: int = 50 * MB
    max_chunk_bytes: int = 5 * MB
    ttl_seconds: int = 24 * 3600


DEFAULT_IMAGE_CONFIG = ImageConfig()
DEFAULT_UPLOAD_CONFIG = UploadConfig()
