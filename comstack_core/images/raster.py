"""Decode, check and re-encode PNG, JPEG, WebP and GIF with Pillow.

Every upload is decoded in full (a file cut short or damaged is refused, not half shown), its EXIF
orientation is applied, and what is stored is a fresh encoding that carries the pixels, the ICC colour
profile and, for animations, the frame timing — nothing else. No EXIF (GPS included), XMP, comments or
text chunks, and no byte the uploader chose outside the pixels, so no polyglot payload survives.

Per format:
- JPEG: re-encoded with the upload's own quantization tables and chroma subsampling (`quality="keep"`
  when no rotation is needed), which keeps the loss of a second encoding as small as a JPEG allows;
  Huffman tables optimised (lossless). Progressive stays progressive. CMYK stays CMYK.
- PNG: lossless; mode, palette and transparency kept. Written at zlib's default level, then optimised
  (level 9, best filter) when the image compresses well, as screenshots and diagrams do: there it is
  fast and saves a few percent. Photographic PNGs are not optimised: up to 15 times the time (seconds
  a megapixel, on the upload path) for 5-8 % fewer bytes. Animated PNG keeps its frames.
- WebP: lossless stays lossless (exact pixels); lossy is re-encoded lossy at a high quality (WebP has no
  way to reuse the first encoding). Animations keep their frames, durations and loop count.
- GIF: re-encoded as GIF with its frames, durations and loop count (identical consecutive frames may
  be merged by the encoder, their durations added).
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, ImageCms, JpegImagePlugin

from comstack_core.images.config import ImageConfig
from comstack_core.images.errors import ACCEPTED, ImageRejected

PIL_FORMATS = {"png": "PNG", "jpeg": "JPEG", "gif": "GIF", "webp": "WEBP"}

# EXIF orientation -> the transposition that shows the image upright (as ImageOps.exif_transpose).
_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_ORIENTATION_TAG = 0x0112


@dataclass
class Raster:
    """A decoded, upright raster image and its re-encoded bytes."""

    format: str
    width: int
    height: int
    data: bytes
    frames: int
    # The decoded pixels of what is stored, when they are known without decoding it again: a lossless
    # encoding (PNG, GIF, lossless WebP) stores exactly the upright pixels. None after a lossy one.
    pixels: Image.Image | None = field(default=None, repr=False)
    icc_profile: bytes | None = field(default=None, repr=False)


def corrupt(fmt: str, detail: str) -> ImageRejected:
    name = PIL_FORMATS[fmt]
    return ImageRejected(
        f"The file starts like a {name} image but cannot be decoded ({detail}): it is truncated or "
        f"damaged. Export or download it again. {ACCEPTED}",
        code="image_corrupt",
        format=fmt,
    )


def _open(data: bytes, fmt: str) -> Image.Image:
    try:
        return Image.open(io.BytesIO(data), formats=[PIL_FORMATS[fmt]])
    except Image.DecompressionBombError:
        raise ImageRejected(
            "The image has far too many pixels to be decoded safely.", code="image_too_many_pixels"
        ) from None
    except Exception as error:  # decoders of untrusted bytes raise many kinds of errors
        raise corrupt(fmt, str(error) or type(error).__name__) from None


def check_pixels(image: Image.Image, fmt: str, config: ImageConfig) -> None:
    """Refuse a bomb from the header alone, before any pixel is decoded."""
    width, height = image.size
    if width < 1 or height < 1:
        raise corrupt(fmt, "it declares no pixels")
    if width * height > config.max_pixels:
        raise ImageRejected(
            f"The image is {width} x {height} pixels ({width * height / 1e6:.1f} megapixels); the limit is "
            f"{config.max_pixels / 1e6:.0f} megapixels. Scale it down and upload it again.",
            code="image_too_many_pixels",
            width=width,
            height=height,
            max_pixels=config.max_pixels,
        )


def count_frames(image: Image.Image, fmt: str, config: ImageConfig) -> int:
    if fmt == "jpeg":
        return 1  # an MPO (a camera's multi-picture JPEG) is stored as its first, main picture
    try:
        frames = int(getattr(image, "n_frames", 1))  # GIF: walks the blocks, decodes nothing
    except Exception as error:
        raise corrupt(fmt, str(error) or type(error).__name__) from None
    _check_frames(frames, image.width, image.height, config)
    return frames


def _check_frames(frames: int, width: int, height: int, config: ImageConfig) -> None:
    if frames > config.max_frames or frames * width * height > config.max_animation_pixels:
        raise ImageRejected(
            f"The animation has {frames} frames of {width} x {height} pixels; the limits are "
            f"{config.max_frames} frames and {config.max_animation_pixels / 1e6:.0f} megapixels over all "
            "frames. Shorten it, lower its frame rate or scale it down.",
            code="image_too_many_frames",
            frames=frames,
            max_frames=config.max_frames,
        )


def _valid_icc(profile: bytes | None) -> bytes | None:
    """Keep a colour profile only if it parses as one: it is the one block of bytes we carry over."""
    if not profile:
        return None
    try:
        ImageCms.ImageCmsProfile(io.BytesIO(profile))
    except Exception:
        return None
    return profile


def webp_is_lossless(data: bytes) -> bool:
    """True when every image chunk of a WebP file (or of its animation frames) is VP8L (lossless)."""
    kinds: set[bytes] = set()
    pos, end = 12, min(len(data), 8 + struct.unpack_from("<I", data, 4)[0])
    while pos + 8 <= end:
        fourcc, size = data[pos : pos + 4], struct.unpack_from("<I", data, pos + 4)[0]
        body = pos + 8
        if fourcc == b"ANMF":
            sub = body + 16  # frame header
            while sub + 8 <= min(body + size, end):
                subcc, subsize = data[sub : sub + 4], struct.unpack_from("<I", data, sub + 4)[0]
                kinds.add(subcc)
                sub += 8 + subsize + (subsize & 1)
        else:
            kinds.add(fourcc)
        pos = body + size + (size & 1)
    return b"VP8L" in kinds and b"VP8 " not in kinds


_PNG_END = b"IEND\xaeB`\x82"  # the IEND chunk type and its (constant) CRC


def check_complete(data: bytes, fmt: str) -> None:
    """The end markers Pillow does not insist on: a PNG cut inside its IEND chunk or a GIF without its
    trailer byte decodes fine, but the file is still cut short."""
    if fmt == "png" and _PNG_END not in data:
        raise corrupt(fmt, "its IEND chunk is missing")
    if fmt == "gif" and not data.rstrip(b"\x00\r\n ").endswith(b";"):
        raise corrupt(fmt, "its trailer byte is missing")


def decode(data: bytes, fmt: str, config: ImageConfig) -> Raster:
    """Check and decode the whole file, then re-encode it (see the module docstring)."""
    check_complete(data, fmt)
    if fmt == "png":
        # verify() walks every chunk and checks its CRC, which decoding the pixels does not; it leaves
        # that object unusable, so the pixels come from a second one. (It checks nothing in the other
        # formats: for them, decoding every frame is the check.)
        probe = _open(data, fmt)
        check_pixels(probe, fmt, config)
        try:
            probe.verify()
        except Exception as error:
            raise corrupt(fmt, str(error) or type(error).__name__) from None
    image = _open(data, fmt)
    check_pixels(image, fmt, config)
    frames = count_frames(image, fmt, config)
    try:
        return _decode(image, data, fmt, frames, config)
    except ImageRejected:
        raise
    except Exception as error:  # "image file is truncated", broken LZW/zlib/VP8 streams, ...
        raise corrupt(fmt, str(error) or type(error).__name__) from None


def _orientation(image: Image.Image) -> int:
    try:
        return int(image.getexif().get(_ORIENTATION_TAG, 1) or 1)
    except Exception:
        # Cameras write odd EXIF; the metadata is dropped anyway, so a block that does not parse is
        # not a reason to refuse the picture: it is shown as stored.
        return 1


def _decode(image: Image.Image, data: bytes, fmt: str, frames: int, config: ImageConfig) -> Raster:
    method = _ORIENTATION.get(_orientation(image))
    icc = _valid_icc(image.info.get("icc_profile")) if fmt != "gif" else None
    if frames > 1:
        return _animation(image, data, fmt, frames, method, icc, config)
    image.load()
    upright = image.transpose(method) if method is not None else image
    out = io.BytesIO()
    if fmt == "jpeg":
        _save_jpeg(image, upright, out, icc)
    elif fmt == "png":
        out = _save_png(image, upright, icc, config)
    elif fmt == "webp":
        _save(upright, out, format="WEBP", icc_profile=icc, **_webp_options(data, config))
    else:  # a single-frame GIF keeps its palette and transparency
        kwargs = {}
        if "transparency" in image.info and upright.mode == "P":
            kwargs["transparency"] = image.info["transparency"]
        _save(upright, out, format="GIF", **kwargs)
    lossless = fmt in ("png", "gif") or (fmt == "webp" and webp_is_lossless(data))
    return Raster(fmt, upright.width, upright.height, out.getvalue(), 1, upright if lossless else None, icc)


def _clean(image: Image.Image) -> Image.Image:
    """The same pixels with no metadata attached: encoders also read `info` (GIF and JPEG copy a comment
    from it), so it is emptied rather than trusting each encoder's defaults."""
    image.info = {}
    return image


def _save(image: Image.Image, out: io.BytesIO, **options: object) -> None:
    """Save with no metadata but what `options` says; the image keeps only its transparency, which the
    variants need to read the pixels right."""
    kept: dict[str | tuple[int, int], Any] = {}
    if "transparency" in image.info:
        kept["transparency"] = image.info["transparency"]
    _clean(image).save(out, **options)  # type: ignore[arg-type]
    image.info = kept


def _save_png(source: Image.Image, upright: Image.Image, icc: bytes | None, config: ImageConfig) -> io.BytesIO:
    options: dict[str, object] = {"format": "PNG", "icc_profile": icc}
    if "transparency" in source.info and upright.mode in ("P", "L", "RGB", "I;16", "1"):
        options["transparency"] = source.info["transparency"]
    out = io.BytesIO()
    _save(upright, out, compress_level=config.png_compress_level, **options)
    raw = upright.width * upright.height * len(upright.getbands()) * (2 if upright.mode.startswith("I;16") else 1)
    if out.tell() < config.png_optimize_below * raw:
        optimised = io.BytesIO()
        _save(upright, optimised, optimize=True, **options)
        if optimised.tell() < out.tell():
            return optimised
    return out


def _save_jpeg(source: Image.Image, upright: Image.Image, out: io.BytesIO, icc: bytes | None) -> None:
    progressive = bool(source.info.get("progressive") or source.info.get("progression"))
    options: dict[str, object] = {"optimize": True, "progressive": progressive, "icc_profile": icc}
    if upright is source and source.format == "JPEG":
        options["quality"] = "keep"
    else:
        # Rotated (a new image) or MPO (a camera's multi-picture JPEG: its first picture is kept): the
        # same tables and subsampling, given by hand since "keep" needs the original object.
        quantization = getattr(source, "quantization", None)
        if quantization:
            options["qtables"] = quantization
        options["subsampling"] = JpegImagePlugin.get_sampling(source)
    _save(upright, out, format="JPEG", **options)


def _webp_options(data: bytes, config: ImageConfig) -> dict[str, object]:
    if webp_is_lossless(data):
        return {"lossless": True, "exact": True, "quality": 100, "method": 4}
    return {"quality": config.webp_reencode_quality, "alpha_quality": 100, "method": 4}


def _gif_frames(frames: list[Image.Image]) -> list[Image.Image]:
    """RGBA frames as GIF frames. Where any frame is see-through, every frame gets at most 255 colours
    plus transparent index 255: Pillow's own RGBA conversion drops the transparency, and "restore to
    background" must clear to transparent in every reader (browsers do; Pillow needs the index set)."""
    masks = [frame.getchannel("A").point(lambda a: 255 if a < 128 else 0) for frame in frames]
    if all(mask.getbbox() is None for mask in masks):
        return [frame.convert("RGB").quantize(256) for frame in frames]
    result = []
    for frame, mask in zip(frames, masks, strict=True):
        paletted = frame.convert("RGB").quantize(255)
        palette = (paletted.getpalette() or [])[: 255 * 3]
        paletted.putpalette(palette + [0] * (256 * 3 - len(palette)))
        paletted.paste(255, mask=mask)
        paletted.info["transparency"] = 255
        result.append(paletted)
    return result


def _animation(
    image: Image.Image,
    data: bytes,
    fmt: str,
    frames: int,
    method: Image.Transpose | None,
    icc: bytes | None,
    config: ImageConfig,
) -> Raster:
    loop = image.info.get("loop")
    decoded: list[Image.Image] = []
    durations: list[int] = []
    for index in range(frames):
        image.seek(index)
        image.load()
        # Pillow hands each frame composited over the previous ones (disposal and blending applied),
        # so every frame is complete and can be written back as a whole picture.
        frame = _clean(image.convert("RGBA"))  # convert() copies info, comment included
        decoded.append(frame.transpose(method) if method is not None else frame)
        durations.append(int(image.info.get("duration") or 0))
    first, rest = decoded[0], decoded[1:]
    out = io.BytesIO()
    options: dict[str, object] = {"save_all": True, "append_images": rest, "duration": durations}
    if fmt == "gif":
        if loop is not None:
            options["loop"] = loop
        # Every frame is a whole picture: clearing before the next one ("restore to background") is
        # right even where a frame is transparent, which "leave in place" would show through.
        options["disposal"] = 2
        paletted = _gif_frames(decoded)
        if "transparency" in paletted[0].info:
            # Palette optimisation would drop index 255 from frames that do not use it, and with it
            # the transparency that "restore to background" clears to.
            options["optimize"] = False
        options["append_images"] = paletted[1:]
        paletted[0].save(out, format="GIF", **options)
    elif fmt == "webp":
        options.update(_webp_options(data, config))
        first.save(out, format="WEBP", loop=loop or 0, icc_profile=icc, **options)
    else:
        first.save(out, format="PNG", loop=loop or 0, icc_profile=icc, default_image=False, **options)
    encoded = out.getvalue()
    written = int(getattr(Image.open(io.BytesIO(encoded)), "n_frames", 1))
    return Raster(fmt, first.width, first.height, encoded, written, None, icc)  # no variants of animations
