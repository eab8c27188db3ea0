"""What a file is, from its bytes alone: magic numbers, never a name or a declared type.

`detect_format` names the accepted formats; `describe` names the usual wrong ones so a refusal can say
what was sent; `find_markup` finds HTML or script hidden in a raster file (a polyglot).
"""

from __future__ import annotations

import codecs
import re

RASTER = ("png", "jpeg", "gif", "webp")

CONTENT_TYPES = {
    "png": "image/png",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "svg": "image/svg+xml",
}

EXTENSIONS = {"png": "png", "jpeg": "jpg", "gif": "gif", "webp": "webp", "svg": "svg"}

_BOM = b"\xef\xbb\xbf"
_HTML_START = re.compile(rb"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|script)[\s>/]", re.I | re.S)

# Markup a browser would run or render if it ever read these bytes as HTML. Only tag names of four
# letters or more followed by a delimiter: compressed pixel data is close to random, and a random match
# of those is about one in 10^12 per byte, while `<a ` or `<svg ` would turn up in large photos.
# Each pattern starts with a literal, which the regex engine finds at memory speed; they run over a
# lower-cased copy (an ignore-case alternation without a literal prefix took seconds on 50 MB).
_TAG = re.compile(
    rb"<(?:(?:script|iframe|object|embed|html|body|head|meta|style|form|title|frameset|!doctype)[ \t\n\r\f/>]"
    rb"|\?php)"
)
_SCRIPT_URL = re.compile(rb"script:")
_HANDLER = re.compile(rb"on(?:load|error|click|mouseover)[ \t\n\r\f]*=")


def detect_format(data: bytes) -> str | None:
    """'png', 'jpeg', 'gif', 'webp' or 'svg' (a candidate: it is confirmed by parsing), else None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    text = data[len(_BOM) :] if data.startswith(_BOM) else data
    head = text[:4096].lstrip()
    if head.startswith(b"<") and not _HTML_START.match(head) and b"<svg" in text[:65536].lower():
        return "svg"
    return None


def describe(data: bytes) -> str:
    """A short name for what the bytes look like, for a refusal message."""
    head = data[:64]
    text = data[len(_BOM) :] if data.startswith(_BOM) else data
    if _HTML_START.match(text[:4096]):
        return "an HTML document"
    known = [
        (b"%PDF-", "a PDF document"),
        (b"BM", "a BMP image"),
        (b"II*\x00", "a TIFF image"),
        (b"MM\x00*", "a TIFF image"),
        (b"\x00\x00\x01\x00", "an ICO icon"),
        (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
        (b"\x1f\x8b", "a gzip file (an .svgz must be unpacked first)"),
        (b"8BPS", "a Photoshop document"),
    ]
    for magic, name in known:
        if head.startswith(magic):
            return name
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"hevc"):
            return "a HEIC image (export it as JPEG)"
        if brand in (b"avif", b"avis"):
            return "an AVIF image"
        return "a video or MP4-family file"
    stripped = text[:4096].lstrip()
    if stripped.startswith(b"<"):
        return "an XML or markup document that is not an SVG image"
    try:
        # Not final: a character cut at the 4096th byte is not a reason to call text binary.
        codecs.getincrementaldecoder("utf-8")().decode(data[:4096], final=False)
    except UnicodeDecodeError:
        return "a file of an unknown type"
    return "a text file"


def find_markup(data: bytes) -> int | None:
    """The offset of the first HTML/script marker in `data`, or None."""
    lowered = data.lower()
    found = []
    if tag := _TAG.search(lowered):
        found.append(tag.start())
    for match in _SCRIPT_URL.finditer(lowered):
        at = match.start()
        if lowered.endswith(b"java", 0, at) or lowered.endswith(b"vb", 0, at):
            found.append(at - (4 if lowered.endswith(b"java", 0, at) else 2))
            break
    for match in _HANDLER.finditer(lowered):
        at = match.start()
        if at == 0 or not (chr(lowered[at - 1]).isalnum() or lowered[at - 1] == ord("_")):
            found.append(at)  # an attribute name, not the end of a longer word
            break
    return min(found) if found else None
