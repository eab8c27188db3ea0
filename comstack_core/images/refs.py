"""How pages name images, found without I/O: `![alt](image:img_…)` in Markdown, or the image's URL
(`<public url>/media/img_….<ext>`) in Markdown and in custom pages' HTML.

The publishing path, the page read and lint use these to learn which images a page uses; the site
builder swaps each reference for the published file.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..errors import InvalidInput

PREFIX = "image:"
MEDIA = "/media/"
ID = re.compile(r"img_[a-z0-9]{24}")
# Any mention of an image id as a reference or in a media URL: a cheap first look at a page's text.
_MENTION = re.compile(r"(?:image:|/media/)(img_[a-z0-9]{24})")
_IMG_TAG = re.compile(r"<img", re.IGNORECASE)
_MEDIA_NAME = re.compile(r"(img_[a-z0-9]{24})\.[a-z0-9]{2,4}")


def reference(image_id: str) -> str:
    return f"{PREFIX}{image_id}"


def media_url(public_url: str, image_id: str, extension: str) -> str:
    return f"{public_url.rstrip('/')}{MEDIA}{image_id}.{extension}"


def mentioned(text: str | None) -> set[str]:
    """The image ids a text mentions as `image:img_…` or in a `/media/img_…` URL."""
    return set(_MENTION.findall(text)) if text and "img_" in text else set()


def image_id_of(src: str, public_url: str) -> str | None:
    """The id an image source names: '' for an `image:` reference that names no possible image (a typo),
    None when `src` is not a reference to an uploaded image at all (an external image)."""
    src = src.strip()
    if src.startswith(PREFIX):
        rest = src[len(PREFIX) :]
        return rest if ID.fullmatch(rest) else ""
    for base in (public_url.rstrip("/") + MEDIA, MEDIA):
        if src.startswith(base):
            match = _MEDIA_NAME.fullmatch(src[len(base) :])
            return match.group(1) if match else None
    return None


@dataclass(frozen=True)
class ImageUse:
    src: str
    alt: str
    image_id: str | None  # see image_id_of


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def _walk(tokens: Iterable[Token]) -> Iterable[Token]:
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)


class _HtmlImages(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            values = dict(attrs)
            self.found.append((values.get("src") or "", values.get("alt") or ""))


def html_images(html: str) -> list[tuple[str, str]]:
    parser = _HtmlImages()
    parser.feed(html)
    parser.close()
    return parser.found


def markdown_images(source: str, public_url: str) -> list[ImageUse]:
    """Every image of a Markdown text (raw `<img>` tags included), with its alt text as written."""
    if "![" not in source and not _IMG_TAG.search(source):
        # No image can be there (an image starts with `![` or is an `<img>` tag; character references
        # never stand for Markdown's structure): most pages, and parsing each costs milliseconds.
        return []
    return parsed_images(source, public_url)


def parsed_images(source: str, public_url: str) -> list[ImageUse]:
    """`markdown_images` by parsing, whatever the text."""
    found: list[tuple[str, str]] = []
    for token in _walk(_parser().parse(source)):
        if token.type == "image":
            found.append((str(token.attrGet("src") or ""), token.content))
        elif token.type in ("html_block", "html_inline") and "<img" in token.content.lower():
            found.extend(html_images(token.content))
    return [ImageUse(src, alt, image_id_of(src, public_url)) for src, alt in found]


def page_images(content: str, body_html: str | None, public_url: str) -> list[ImageUse]:
    """The images of a page: its custom HTML body when it has one, else its Markdown."""
    if body_html is not None:
        if not _IMG_TAG.search(body_html):
            return []
        return [ImageUse(src, alt, image_id_of(src, public_url)) for src, alt in html_images(body_html)]
    return markdown_images(content, public_url)


def with_urls(text: str, urls: dict[str, str]) -> str:
    """`text` with each `image:img_…` reference replaced by the URL `urls` gives for the id."""
    if PREFIX not in text:
        return text
    return re.sub(rf"{PREFIX}(img_[a-z0-9]{{24}})", lambda m: urls.get(m.group(1), m.group(0)), text)


def decode_base64(data: str) -> bytes:
    """An image sent as base64 text (MCP carries no raw bytes)."""
    try:
        return base64.b64decode(data.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(
            "data_base64 is not valid base64: send the file's bytes base64-encoded, without a 'data:' prefix.",
            code="image_encoding_invalid",
        ) from None
