"""srcset variants: the right widths, never upscaled, made once per (image, width) and found again."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from comstack_core.images import (
    FileBlobStore,
    FileVariantIndex,
    ImageConfig,
    Variant,
    ensure_variants,
    planned_widths,
    process_image,
    render_variants,
)

from .factory import animated, decode, deep_grey, encode, natural, picture, srgb_profile


@pytest.fixture
def blobs(tmp_path: Path) -> FileBlobStore:
    return FileBlobStore.in_data_dir(tmp_path)


@pytest.fixture
def index(tmp_path: Path) -> FileVariantIndex:
    return FileVariantIndex.in_data_dir(tmp_path)


@pytest.mark.parametrize(
    ("width", "expected"),
    [(2400, [480, 960, 1600]), (1600, [480, 960]), (1601, [480, 960, 1600]), (1000, [480, 960]), (481, [480]), (480, []), (64, [])],
)
def test_planned_widths_never_upscale(width: int, expected: list[int]) -> None:
    assert planned_widths(width, (1600, 480, 960)) == expected


def test_variants_of_a_large_photo(blobs: FileBlobStore, index: FileVariantIndex) -> None:
    image = process_image(encode(natural(2000, 1500), "JPEG", quality=90))
    key = blobs.put(image.data)
    variants = ensure_variants(key, blobs, index, image=image)
    assert [(v.width, v.height) for v in variants] == [(480, 360), (960, 720), (1600, 1200)]
    for variant in variants:
        assert variant.source_sha256 == key and variant.content_type == "image/webp"
        data = blobs.read(variant.sha256)
        assert variant.size == len(data)
        stored = decode(data)
        assert stored.format == "WEBP" and stored.size == (variant.width, variant.height) and stored.mode == "RGB"
    assert variants[0].size < variants[1].size < variants[2].size < image.size


def test_a_portrait_and_an_odd_ratio_keep_their_aspect(blobs: FileBlobStore, index: FileVariantIndex) -> None:
    image = process_image(encode(natural(1001, 1500), "PNG"))
    variants = ensure_variants(blobs.put(image.data), blobs, index, image=image)
    assert [(v.width, v.height) for v in variants] == [(480, 719), (960, 1439)]


def test_small_images_vectors_and_animations_get_none(blobs: FileBlobStore, index: FileVariantIndex) -> None:
    small = process_image(encode(picture(400, 300), "PNG"))
    svg = process_image(b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4000 3000"><rect width="9" height="9"/></svg>')
    moving = process_image(animated("GIF", 3))
    for image in (small, svg, moving):
        key = blobs.put(image.data)
        assert ensure_variants(key, blobs, index, image=image) == []
        assert ensure_variants(key, blobs, index) == []  # same answer from the stored bytes alone
    wide_animation = encode(
        natural(1200, 100), "WEBP", save_all=True, append_images=[natural(1200, 100, seed=2)], duration=100
    )
    image = process_image(wide_animation)
    assert image.animated and ensure_variants(blobs.put(image.data), blobs, index, image=image) == []


def test_made_once_then_found_again(blobs: FileBlobStore, index: FileVariantIndex, tmp_path: Path) -> None:
    image = process_image(encode(natural(1700, 900), "JPEG"))
    key = blobs.put(image.data)
    first = ensure_variants(key, blobs, index, image=image)
    records = sorted((tmp_path / "variants").rglob("*.json"))
    assert len(records) == 3
    stamps = {path: path.stat().st_mtime_ns for path in records}
    blob_stamps = {v.sha256: blobs.path(v.sha256).stat().st_ino for v in first}
    # Later publishes ask again, from the stored bytes only: the same variants, nothing made again.
    again = ensure_variants(key, blobs, index)
    assert again == first
    assert {path: path.stat().st_mtime_ns for path in records} == stamps
    assert {v.sha256: blobs.path(v.sha256).stat().st_ino for v in again} == blob_stamps
    # A variant whose blob went missing is made again (same bytes, same key).
    blobs.delete(first[1].sha256)
    repaired = ensure_variants(key, blobs, index)
    assert repaired == first and blobs.exists(first[1].sha256)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_variants_from_the_blob_match_those_from_the_upload(fmt: str, blobs: FileBlobStore, tmp_path: Path) -> None:
    image = process_image(encode(natural(1000, 700), fmt))
    key = blobs.put(image.data)
    from_upload = ensure_variants(key, blobs, FileVariantIndex(tmp_path / "a"), image=image)
    from_blob = ensure_variants(key, blobs, FileVariantIndex(tmp_path / "b"))
    assert from_upload == from_blob  # deterministic: a second process would add nothing new


def test_a_jpeg_decoded_at_reduced_scale_still_gets_every_width(blobs: FileBlobStore, index: FileVariantIndex) -> None:
    # 3200 px wide: decoded at half scale it is exactly 1600, the largest variant's width.
    image = process_image(encode(natural(3200, 800), "JPEG"))
    variants = ensure_variants(blobs.put(image.data), blobs, index, image=image)
    assert [(v.width, v.height) for v in variants] == [(480, 120), (960, 240), (1600, 400)]


def test_transparency_survives_and_opaque_alpha_is_dropped() -> None:
    clear = Image.new("RGBA", (1000, 500), (0, 0, 0, 0))
    clear.paste((255, 0, 0, 255), (0, 0, 500, 500))
    (_, _, data), *_ = render_variants(clear, [480])
    variant = decode(data)
    assert variant.mode == "RGBA"
    assert variant.getpixel((10, 10))[3] == 255 and variant.getpixel((470, 200))[3] == 0  # type: ignore[index]
    opaque = picture(1000, 500, "RGBA")
    assert decode(render_variants(opaque, [480])[0][2]).mode == "RGB"


def test_palette_transparency_from_a_stored_png(blobs: FileBlobStore, index: FileVariantIndex) -> None:
    source = picture(1000, 500).convert("P", palette=Image.Palette.ADAPTIVE, colors=4)
    image = process_image(encode(source, "PNG", transparency=source.getpixel((2, 2))))
    (variant,) = ensure_variants(blobs.put(image.data), blobs, index, image=image, config=ImageConfig(variant_widths=(480,)))
    assert decode(blobs.read(variant.sha256)).convert("RGBA").getpixel((5, 5))[3] == 0  # type: ignore[index]


def test_colour_modes_are_converted_right() -> None:
    cmyk = Image.new("CMYK", (1000, 500), (0, 255, 255, 0))  # red in print colours
    red = decode(render_variants(cmyk, [480])[0][2]).convert("RGB").getpixel((100, 100))
    assert isinstance(red, tuple) and red[0] > 200 and red[1] < 60 and red[2] < 60
    deep = deep_grey(1000, 500)
    grey = decode(render_variants(deep, [480])[0][2]).convert("L")
    # 16-bit values scaled to 8 bits, not clipped to white: the ramp keeps its mean (about mid-grey).
    assert 100 < ImageStat.Stat(grey).mean[0] < 155


def test_the_colour_profile_goes_with_the_variant() -> None:
    profile = srgb_profile()
    variant = decode(render_variants(picture(1000, 500), [480], icc=profile)[0][2])
    assert variant.info.get("icc_profile") == profile


def test_widths_and_quality_are_configurable(blobs: FileBlobStore, index: FileVariantIndex) -> None:
    image = process_image(encode(natural(1300, 650), "JPEG"))
    key = blobs.put(image.data)
    config = ImageConfig(variant_widths=(320, 640, 1280, 2560), variant_quality=50)
    assert [v.width for v in ensure_variants(key, blobs, index, config=config, image=image)] == [320, 640, 1280]
    low = render_variants(natural(1300, 650), [640], ImageConfig(variant_quality=30))[0][2]
    high = render_variants(natural(1300, 650), [640], ImageConfig(variant_quality=95))[0][2]
    assert len(low) < len(high)


def test_two_publishes_making_the_same_variants_at_once_agree(
    blobs: FileBlobStore, index: FileVariantIndex, tmp_path: Path
) -> None:
    image = process_image(encode(natural(1200, 800), "JPEG"))
    key = blobs.put(image.data)
    start = threading.Barrier(3)

    def make() -> list[Variant]:
        start.wait()
        return ensure_variants(key, blobs, index)

    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda _: make(), range(3)))
    assert results[0] == results[1] == results[2]
    assert len(list((tmp_path / "variants").rglob("*.json"))) == 2
    assert {path.name for path in blobs.root.rglob("*") if path.is_file()} == {key} | {v.sha256 for v in results[0]}
