"""Every accepted type goes through: the type is read from the bytes, the pixels survive, and what is
stored is a fresh encoding described truthfully (type, size, bytes, sha256, frames)."""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image, ImageChops, ImageStat

from comstack_core.images import ProcessedImage, process_image

from .factory import animated, decode, deep_grey, encode, frames, natural, picture


def check_result(result: ProcessedImage, fmt: str, size: tuple[int, int], frame_count: int = 1) -> Image.Image:
    assert result.format == fmt
    assert (result.width, result.height) == size
    assert result.size == len(result.data)
    assert result.sha256 == hashlib.sha256(result.data).hexdigest()
    assert result.frames == frame_count
    stored = Image.open(io.BytesIO(result.data))
    assert stored.format == {"jpeg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WEBP"}[fmt]
    assert stored.size == size
    stored.load()
    return stored


def same_pixels(a: Image.Image, b: Image.Image) -> bool:
    return ImageChops.difference(a.convert("RGBA"), b.convert("RGBA")).getbbox() is None


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L", "LA", "P", "1", "I;16"])
def test_png_is_lossless_in_every_mode(mode: str) -> None:
    source = picture(200, 100, mode) if mode != "I;16" else deep_grey(200, 100)
    result = process_image(encode(source, "PNG"))
    stored = check_result(result, "png", (200, 100))
    assert result.content_type == "image/png" and result.extension == "png"
    if mode == "I;16":
        assert stored.mode.startswith("I")
        assert stored.convert("I").tobytes() == source.convert("I").tobytes()
    else:
        assert same_pixels(stored, source)


def test_png_palette_transparency_is_kept() -> None:
    source = picture(64, 64).convert("P", palette=Image.Palette.ADAPTIVE, colors=4)
    index = source.getpixel((2, 2))
    result = process_image(encode(source, "PNG", transparency=index))
    stored = check_result(result, "png", (64, 64))
    assert stored.mode == "P"
    assert stored.convert("RGBA").getpixel((2, 2))[3] == 0  # type: ignore[index]
    assert stored.convert("RGBA").getpixel((60, 60))[3] == 255  # type: ignore[index]


@pytest.mark.parametrize("options", [{}, {"progressive": True}, {"subsampling": 0, "quality": 95}])
def test_jpeg_keeps_its_quality_and_subsampling(options: dict[str, object]) -> None:
    source = natural(400, 300)
    data = encode(source, "JPEG", **options)
    result = process_image(data)
    stored = check_result(result, "jpeg", (400, 300))
    original = decode(data)
    # quality="keep": the same quantization tables, the same subsampling, so the second encoding costs
    # next to nothing (mean error well under one level; quality=95 costs several times more).
    assert stored.quantization == original.quantization  # type: ignore[attr-defined]
    assert Image.open(io.BytesIO(result.data)).info.get("progressive", False) == options.get(
        "progressive", False
    )
    error = ImageStat.Stat(ImageChops.difference(stored, original)).mean
    assert max(error) < 0.5, error
    assert 0.8 < len(result.data) / len(data) < 1.1


@pytest.mark.parametrize("mode", ["L", "CMYK"])
def test_jpeg_greyscale_and_cmyk(mode: str) -> None:
    source = picture(120, 80, mode)
    result = process_image(encode(source, "JPEG", quality=92))
    stored = check_result(result, "jpeg", (120, 80))
    assert stored.mode == mode


def test_webp_lossless_stays_exact() -> None:
    source = picture(150, 90, "RGBA")
    result = process_image(encode(source, "WEBP", lossless=True))
    stored = check_result(result, "webp", (150, 90))
    assert same_pixels(stored, source)
    assert result.content_type == "image/webp"


def test_webp_lossy_is_reencoded_close_to_the_source() -> None:
    source = natural(300, 200)
    data = encode(source, "WEBP", quality=80)
    stored = check_result(process_image(data), "webp", (300, 200))
    error = ImageStat.Stat(ImageChops.difference(stored.convert("RGB"), decode(data).convert("RGB"))).mean
    assert max(error) < 1.5, error


def test_gif_still_keeps_its_palette() -> None:
    source = picture(80, 60).convert("P", palette=Image.Palette.ADAPTIVE, colors=8)
    result = process_image(encode(source, "GIF"))
    stored = check_result(result, "gif", (80, 60))
    assert same_pixels(stored, source)
    assert result.content_type == "image/gif" and not result.animated


@pytest.mark.parametrize("fmt", ["GIF", "WEBP", "PNG"])
def test_animations_keep_frames_durations_and_loop(fmt: str) -> None:
    durations = [100, 250, 400, 120]
    data = animated(fmt, 4, durations, **({"lossless": True} if fmt == "WEBP" else {}))
    result = process_image(data)
    fmt_name = {"GIF": "gif", "WEBP": "webp", "PNG": "png"}[fmt]
    stored = check_result(result, fmt_name, (64, 48), frame_count=4)
    assert result.animated
    assert stored.info.get("loop") == 0
    seen = []
    expected = frames(4)
    for index in range(4):
        stored.seek(index)
        stored.load()
        seen.append(int(stored.info["duration"]))
        assert same_pixels(stored, expected[index]), f"frame {index}"
    assert seen == durations


def test_animated_gif_with_transparency_does_not_show_earlier_frames() -> None:
    # Frame 1 is red; frame 2 is blue on its left half and transparent on its right half. Its right
    # half must show through to the page, not to frame 1's red.
    palette = [255, 0, 0, 0, 0, 255, 0, 0, 0] + [0] * (253 * 3)
    first = Image.new("P", (32, 32), 0)
    first.putpalette(palette)
    second = Image.new("P", (32, 32), 2)
    second.putpalette(palette)
    second.paste(1, (0, 0, 16, 32))
    data = encode(
        first, "GIF", save_all=True, append_images=[second], duration=[100, 100], disposal=2, transparency=2,
        optimize=False,
    )
    source = decode(data)
    source.seek(1)
    source.load()
    assert source.convert("RGBA").getpixel((24, 16)) == (0, 0, 0, 0)  # the input is what we think
    stored = decode(process_image(data).data)
    stored.seek(1)
    stored.load()
    assert stored.convert("RGBA").getpixel((24, 16))[3] == 0  # type: ignore[index]
    assert stored.convert("RGBA").getpixel((4, 16)) == (0, 0, 255, 255)


def test_the_name_or_declared_type_plays_no_part() -> None:
    # process_image takes bytes only: a PNG is a PNG whatever it was called or sent as.
    data = encode(picture(10, 10), "PNG")
    assert process_image(data).format == "png"


def test_same_upload_twice_gives_the_same_stored_bytes() -> None:
    data = encode(natural(300, 200), "JPEG")
    assert process_image(data).sha256 == process_image(data).sha256


def test_png_of_a_screenshot_is_optimised_and_a_photo_is_not() -> None:
    screenshot = picture(1200, 800)  # flat colours: compresses to almost nothing
    stored = process_image(encode(screenshot, "PNG", compress_level=1))
    assert len(stored.data) <= len(encode(screenshot, "PNG", optimize=True))
    photo_like = natural(600, 400)
    stored = process_image(encode(photo_like, "PNG"))
    assert len(stored.data) == len(encode(photo_like, "PNG", compress_level=6))  # one default-level pass
    assert same_pixels(decode(stored.data), photo_like)
