"""Metadata: the EXIF orientation is applied, then everything but the pixels and the colour profile is
left behind (GPS above all)."""

from __future__ import annotations

import pytest
from PIL import Image

from comstack_core.images import process_image

from .factory import (
    GPS_IFD,
    ORIENTATION,
    corner_colour,
    decode,
    encode,
    exif_with_gps,
    jpeg_with_segment,
    natural,
    picture,
    png_with_text,
    srgb_profile,
)

XMP = (
    b'http://ns.adobe.com/xap/1.0/\x00<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="48,51.4933N"/>'
    b"</rdf:RDF></x:xmpmeta><?xpacket end=\"w\"?>"
)


def test_exif_gps_is_there_before_and_gone_after() -> None:
    data = encode(natural(320, 240), "JPEG", exif=exif_with_gps().tobytes())
    before = decode(data).getexif()
    assert before.get_ifd(GPS_IFD)[2] == (48.0, 51.0, 29.6)  # the upload really carries a position
    assert b"Exif" in data and b"Camera model" in data
    result = process_image(data)
    after = decode(result.data)
    assert len(after.getexif()) == 0
    assert after.getexif().get_ifd(GPS_IFD) == {}
    assert b"Exif" not in result.data and b"Camera model" not in result.data
    assert "exif" not in after.info


def test_xmp_and_comments_are_gone_from_jpeg() -> None:
    data = jpeg_with_segment(encode(natural(64, 48), "JPEG", comment=b"shot at home"), 0xE1, XMP)
    assert decode(data).info.get("xmp") and decode(data).info.get("comment") == b"shot at home"
    stored = process_image(data).data
    for leftover in (b"xpacket", b"GPSLatitude", b"shot at home", b"http://ns.adobe.com"):
        assert leftover not in stored
    assert "xmp" not in decode(stored).info and "comment" not in decode(stored).info


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_exif_and_xmp_are_gone_from_png_and_webp(fmt: str) -> None:
    data = encode(picture(40, 30), fmt, exif=exif_with_gps().tobytes(), xmp=XMP[29:])
    assert decode(data).getexif().get_ifd(GPS_IFD)
    stored = process_image(data).data
    assert len(decode(stored).getexif()) == 0
    assert b"xpacket" not in stored and b"Camera model" not in stored


def test_png_text_chunks_are_gone() -> None:
    data = png_with_text(picture(40, 30), "Author", "Ada Lovelace, 12 Example Street")
    assert b"Ada Lovelace" in data
    stored = process_image(data).data
    assert b"Ada Lovelace" not in stored and b"tEXt" not in stored


def test_gif_comment_is_gone() -> None:
    data = encode(picture(40, 30).convert("P"), "GIF", comment=b"made by Ada at 12 Example Street")
    assert b"Example Street" in data
    assert b"Example Street" not in process_image(data).data


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_icc_profile_is_kept(fmt: str) -> None:
    profile = srgb_profile()
    data = encode(picture(40, 30), fmt, icc_profile=profile, exif=exif_with_gps().tobytes())
    stored = decode(process_image(data).data)
    assert stored.info.get("icc_profile") == profile


def test_a_colour_profile_that_does_not_parse_is_dropped() -> None:
    data = encode(picture(40, 30), "PNG", icc_profile=b"not a profile, just bytes someone hid here")
    assert "icc_profile" not in decode(process_image(data).data).info


# Where the red top-left quadrant of the stored (sensor) picture is displayed for each EXIF orientation.
DISPLAYED_RED = {1: "tl", 2: "tr", 3: "br", 4: "bl", 5: "tl", 6: "tr", 7: "br", 8: "bl"}


@pytest.mark.parametrize("orientation", range(1, 9))
@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_orientation_is_applied_then_dropped(fmt: str, orientation: int) -> None:
    exif = exif_with_gps(orientation)
    data = encode(picture(160, 100), fmt, exif=exif.tobytes(), **({"quality": 95} if fmt != "PNG" else {}))
    result = process_image(data)
    rotated = orientation >= 5  # 5-8 swap width and height
    assert (result.width, result.height) == ((100, 160) if rotated else (160, 100))
    stored = decode(result.data)
    assert corner_colour(stored, DISPLAYED_RED[orientation]) == (255, 0, 0)
    assert ORIENTATION not in stored.getexif()  # no second rotation by a viewer


def test_upright_pixels_are_handed_on_for_variants() -> None:
    data = encode(picture(160, 100), "PNG", exif=exif_with_gps(6).tobytes())
    pixels = process_image(data).pixels
    assert isinstance(pixels, Image.Image) and pixels.size == (100, 160)
    assert corner_colour(pixels, "tr") == (255, 0, 0)
    # After a lossy encoding the stored pixels are not the decoded upload's: variants decode the stored
    # bytes instead, so they are the same whenever and wherever they are made.
    assert process_image(encode(picture(160, 100), "JPEG")).pixels is None


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_copies_that_differ_only_in_metadata_are_stored_as_the_same_bytes(fmt: str) -> None:
    # The same photo with and without its EXIF, comment or text: one blob, one image.
    image = natural(300, 200)
    plain = encode(image, fmt, **({"quality": 88} if fmt != "PNG" else {}))
    tagged = encode(image, fmt, exif=exif_with_gps().tobytes(), **({"quality": 88} if fmt != "PNG" else {}))
    assert plain != tagged
    assert process_image(plain).sha256 == process_image(tagged).sha256
