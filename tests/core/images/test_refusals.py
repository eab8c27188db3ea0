"""What is refused, with which code, and that the message says what to do."""

from __future__ import annotations

import io
import struct

import pytest
from PIL import Image

from comstack_core.errors import InvalidInput
from comstack_core.images import ImageConfig, ImageRejected, process_image

from .factory import animated, encode, jpeg_with_segment, natural, picture, png_header_only, png_with_text


def refused(data: bytes, code: str, config: ImageConfig | None = None) -> ImageRejected:
    with pytest.raises(ImageRejected) as caught:
        process_image(data, config) if config else process_image(data)
    error = caught.value
    assert isinstance(error, InvalidInput)  # a 400 in every door, nothing stored
    assert error.code == code, (error.code, error.message)
    assert error.to_dict()["code"] == code
    return error


HTML = b"<!DOCTYPE html><html><head><title>x</title></head><body><script>alert(1)</script></body></html>"


def test_empty_file() -> None:
    refused(b"", "image_empty")


@pytest.mark.parametrize(
    ("data", "named"),
    [
        (HTML, "HTML"),
        (b"  \n<html><body><img src=x onerror=alert(1)></body></html>", "HTML"),
        (b"\xef\xbb\xbf<!-- saved --><html><svg></svg></html>", "HTML"),
        (b"just some text that someone named photo.png\n", "text"),
        (("a" + "\u00e9" * 2100).encode(), "text"),  # cut mid-character at the sniffing window
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"BM" + b"\x00" * 60, "BMP"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "HEIC"),
        (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1", "AVIF"),
        (b"II*\x00\x08\x00\x00\x00", "TIFF"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "gzip"),
        (b'<?xml version="1.0"?><rss><channel><title>svg</title></channel></rss>', "XML"),
        (b"\x13\x37" + bytes(range(256)) * 4, "unknown"),
    ],
)
def test_other_types_are_refused_naming_what_they_are(data: bytes, named: str) -> None:
    error = refused(data, "image_type_unsupported")
    assert named in error.message
    assert "PNG, JPEG, WebP, GIF or SVG" in error.message


def test_an_xml_file_with_an_svg_inside_but_another_root_is_not_an_svg() -> None:
    data = b'<?xml version="1.0"?><doc><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/></doc>'
    error = refused(data, "image_type_unsupported")
    assert "<doc>" in error.message


def test_html_sent_as_png_is_refused() -> None:
    # What a browser or curl sends for evil.png: the name and Content-Type say PNG, the bytes are HTML.
    refused(HTML, "image_type_unsupported")


@pytest.mark.parametrize(
    "payload",
    [
        b"<script>alert(document.cookie)</script>",
        b"<html><body onload=alert(1)>",
        b"<iframe src=https://example.com>",
        b"<?php system($_GET['c']); ?>",
        b'<a href="javascript:alert(1)">x</a>',
        b"<img src=x onerror=alert(1)>",
    ],
)
@pytest.mark.parametrize("fmt", ["JPEG", "GIF", "PNG", "WEBP"])
def test_polyglot_with_payload_appended(fmt: str, payload: bytes) -> None:
    image = encode(picture(40, 30), fmt)
    error = refused(image + payload, "image_polyglot")
    assert len(image) <= error.details["offset"] < len(image) + len(payload)
    assert "HTML or script" in error.message


def test_polyglot_with_payload_in_a_jpeg_comment() -> None:
    image = jpeg_with_segment(encode(natural(64, 48), "JPEG"), 0xFE, b"<script>alert(1)</script>")
    assert Image.open(io.BytesIO(image)).info["comment"].startswith(b"<script")  # a real JPEG
    refused(image, "image_polyglot")


def test_polyglot_with_payload_in_a_gif_comment() -> None:
    image = encode(picture(40, 30).convert("P"), "GIF", comment=b"<html><script>alert(1)</script>")
    refused(image, "image_polyglot")


def test_polyglot_with_payload_in_png_text_and_exif() -> None:
    refused(png_with_text(picture(20, 20), "Comment", "<script>alert(1)</script>"), "image_polyglot")
    exif = Image.Exif()
    exif[0x010E] = "<iframe src=//evil.example>"
    refused(encode(natural(30, 20), "JPEG", exif=exif.tobytes()), "image_polyglot")


CUTS = [0.02, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("png", encode(natural(200, 150), "PNG")),
        ("jpeg", encode(natural(200, 150), "JPEG")),
        ("jpeg-progressive", encode(natural(200, 150), "JPEG", progressive=True)),
        ("webp", encode(natural(200, 150), "WEBP")),
        ("webp-lossless", encode(natural(200, 150), "WEBP", lossless=True)),
        ("gif", encode(natural(200, 150).convert("P"), "GIF")),
        ("gif-animated", animated("GIF", 4)),
        ("webp-animated", animated("WEBP", 4)),
        ("png-animated", animated("PNG", 4)),
    ],
)
def test_truncated_files_are_refused_wherever_they_are_cut(name: str, data: bytes) -> None:
    process_image(data)  # whole, it is fine
    lengths = sorted({int(len(data) * cut) for cut in CUTS} | {len(data) - k for k in (1, 2, 3, 4, 8, 16)})
    for length in lengths:
        error = refused(data[:length], "image_corrupt")
        assert "truncated or damaged" in error.message, length


def test_corrupt_png_fails_its_checksum() -> None:
    data = bytearray(encode(natural(100, 80), "PNG"))
    data[len(data) // 2] ^= 0xFF  # one flipped byte inside the compressed pixels
    refused(bytes(data), "image_corrupt")


def _without_segment(jpeg: bytes, marker: int) -> bytes:
    start = jpeg.index(bytes([0xFF, marker]))
    return jpeg[:start] + jpeg[start + 2 + struct.unpack(">H", jpeg[start + 2 : start + 4])[0] :]


def test_corrupt_structures_are_refused() -> None:
    jpeg = encode(natural(100, 80), "JPEG")
    refused(_without_segment(jpeg, 0xDB), "image_corrupt")  # no quantization table
    refused(_without_segment(jpeg, 0xC0), "image_corrupt")  # no frame header
    gif = bytearray(encode(natural(100, 80).convert("P"), "GIF"))
    gif[gif.index(b",") + 10] = 0x0F  # an impossible LZW code size
    refused(bytes(gif), "image_corrupt")
    webp = bytearray(encode(natural(100, 80), "WEBP"))
    webp[23:26] = b"\x00\x00\x00"  # the VP8 key frame's start code
    refused(bytes(webp), "image_corrupt")


def test_wrong_magic_for_the_rest_is_refused() -> None:
    # PNG signature, JPEG body: the signature decides the decoder, the decoder refuses.
    refused(b"\x89PNG\r\n\x1a\n" + encode(natural(20, 20), "JPEG")[2:], "image_corrupt")
    refused(b"GIF89a" + b"\x00" * 40, "image_corrupt")
    refused(b"RIFF\x10\x00\x00\x00WEBPVP8 \x00\x00\x00\x00", "image_corrupt")


def test_decompression_bomb_is_refused_from_its_header() -> None:
    bomb = png_header_only(10_000, 6_000)  # 60 Mpx declared in 140 bytes
    assert len(bomb) < 200
    error = refused(bomb, "image_too_many_pixels")
    assert error.details == {"width": 10_000, "height": 6_000, "max_pixels": 50_000_000}
    assert "Scale it down" in error.message


def test_a_bomb_past_pillows_own_limit_gets_the_same_code() -> None:
    refused(png_header_only(30_000, 30_000), "image_too_many_pixels")


def test_gif_bomb_in_the_logical_screen() -> None:
    gif = bytearray(encode(picture(10, 10).convert("P"), "GIF"))
    gif[6:10] = (65_000).to_bytes(2, "little") * 2  # logical screen 65000 x 65000
    refused(bytes(gif), "image_too_many_pixels")


def test_pixel_limit_is_configurable() -> None:
    data = encode(picture(120, 100), "PNG")
    process_image(data)
    error = refused(data, "image_too_many_pixels", ImageConfig(max_pixels=10_000))
    assert error.details["max_pixels"] == 10_000


def test_animation_limits_count_every_frame() -> None:
    data = animated("GIF", 5)
    refused(data, "image_too_many_frames", ImageConfig(max_frames=4))
    refused(data, "image_too_many_frames", ImageConfig(max_animation_pixels=64 * 48 * 4))
    assert process_image(data, ImageConfig(max_frames=5, max_animation_pixels=64 * 48 * 5)).frames == 5
