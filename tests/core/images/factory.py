"""Test images made with Pillow on the spot (no binary fixtures in the repository)."""

from __future__ import annotations

import io
import random
import struct
import zlib
from typing import Any

from PIL import Image, ImageCms, ImageDraw, ImageFilter

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def encode(image: Image.Image, fmt: str, **options: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def picture(width: int = 320, height: int = 240, mode: str = "RGB") -> Image.Image:
    """Four coloured quadrants: red top-left, green top-right, blue bottom-left, white bottom-right, so a
    rotation or a flip shows in which corner red ends up."""
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width // 2 - 1, height // 2 - 1), fill=(255, 0, 0))
    draw.rectangle((width // 2, 0, width - 1, height // 2 - 1), fill=(0, 255, 0))
    draw.rectangle((0, height // 2, width // 2 - 1, height - 1), fill=(0, 0, 255))
    return image.convert(mode) if mode != "RGB" else image


def deep_grey(width: int, height: int) -> Image.Image:
    """A 16-bit greyscale ramp using the whole 0..65535 range."""
    ramp = Image.linear_gradient("L").resize((width, height)).convert("I").point(lambda v: v * 257)
    return ramp.convert("I;16")


def photo(width: int, height: int, seed: int = 1) -> Image.Image:
    """Detail everywhere (gradients plus noise), so a JPEG of it weighs what a real photo does."""
    rng = random.Random(seed)
    base = Image.linear_gradient("L").resize((width, height))
    noise = Image.frombytes("L", (width, height), rng.randbytes(width * height))
    return Image.merge("RGB", (base, noise, base.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))


def natural(width: int, height: int, seed: int = 1) -> Image.Image:
    """`photo` softened the way camera pictures are (random pixel noise is the worst case for JPEG's
    chroma subsampling, not a picture)."""
    return photo(width, height, seed).filter(ImageFilter.GaussianBlur(2))


def corner_colour(image: Image.Image, corner: str) -> tuple[int, int, int]:
    """The colour a few pixels inside `corner` ('tl', 'tr', 'bl', 'br'), rounded to pure primaries."""
    rgb = image.convert("RGB")
    x = 4 if corner[1] == "l" else rgb.width - 5
    y = 4 if corner[0] == "t" else rgb.height - 5
    pixel = rgb.getpixel((x, y))
    assert isinstance(pixel, tuple)
    return (255 if pixel[0] > 127 else 0, 255 if pixel[1] > 127 else 0, 255 if pixel[2] > 127 else 0)


def exif_with_gps(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    exif[0x0110] = "Camera model"
    if orientation is not None:
        exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {1: "N", 2: (48.0, 51.0, 29.6), 3: "E", 4: (2.0, 17.0, 40.2)}
    return exif


def srgb_profile() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def frames(count: int = 3, size: tuple[int, int] = (64, 48)) -> list[Image.Image]:
    colours = [(255, 0, 0), (0, 160, 0), (0, 0, 255), (255, 255, 0), (0, 255, 255)]
    result = []
    for index in range(count):
        frame = Image.new("RGB", size, colours[index % len(colours)])
        ImageDraw.Draw(frame).rectangle((index * 4, 4, index * 4 + 8, 12), fill=(255, 255, 255))
        result.append(frame)
    return result


def animated(fmt: str, count: int = 3, durations: list[int] | None = None, **options: Any) -> bytes:
    images = frames(count)
    durations = durations or [100 + 50 * i for i in range(count)]
    return encode(images[0], fmt, save_all=True, append_images=images[1:], duration=durations, loop=0, **options)


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header declares `width` x `height` with a few bytes of pixel data: what a
    decompression bomb looks like before it is decoded."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def png_with_text(image: Image.Image, key: str, value: str) -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text(key, value)
    return encode(image, "PNG", pnginfo=info)


def jpeg_with_segment(jpeg: bytes, marker: int, body: bytes) -> bytes:
    """Insert an APPn/COM segment right after SOI."""
    segment = bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body
    return jpeg[:2] + segment + jpeg[2:]
