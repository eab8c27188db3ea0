"""Uploaded images on the published site.

Pages name images as `image:img_…` (Markdown) or by their media URL (Markdown and custom HTML). For a
build, each named image of the project is given a hashed, cacheable file under the site's
`assets/img/` (`<sha256 prefix>.<ext>`, its WebP srcset variants likewise), and the page text points at
its absolute URL there, so the Markdown copies and llms-full.txt keep absolute URLs and alt text. The
files are hard links to the blob store, placed only when the slot lacks them: a publish with no new image
places nothing.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, replace
from pathlib import Path

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..images import ensure_variants
from ..images.refs import PREFIX, mentioned
from ..images.sniff import EXTENSIONS
from ..models import Image
from ..services.images import ImageStorage
from ..site import SitePage

ASSETS = "assets/img/"
NAME_CHARS = 20  # 80 bits of the SHA-256: unique among any site's images, short in the HTML


@dataclass(frozen=True)
class SiteImages:
    urls: dict[str, str]  # image id -> its published URL
    sizes: dict[str, tuple[int, int, str]]  # published URL -> width, height, srcset
    files: dict[str, str]  # file under the site -> blob key


def _name(sha256: str, extension: str) -> str:
    return f"{ASSETS}{sha256[:NAME_CHARS]}.{extension}"


async def site_images(
    session: AsyncSession, project_id: str, pages: list[SitePage], base_url: str, storage: ImageStorage
) -> SiteImages:
    wanted: set[str] = set()
    for page in pages:
        wanted |= mentioned(page.body_html if page.body_html is not None else page.content)
    urls: dict[str, str] = {}
    sizes: dict[str, tuple[int, int, str]] = {}
    files: dict[str, str] = {}
    if not wanted:
        return SiteImages(urls, sizes, files)
    rows = list(
        await session.exec(
            select(Image).where(Image.project_id == project_id, col(Image.id).in_(sorted(wanted)))
        )
    )
    for image in rows:
        name = _name(image.sha256, EXTENSIONS[image.format])
        url = base_url + name
        files[name] = image.sha256
        variants = image.variants
        if variants is None:  # the upload's variants were never recorded (a crash right after it)
            made = ensure_variants(image.sha256, storage.blobs, storage.variant_index, storage.config)
            variants = [[v.width, v.height, v.sha256, v.size] for v in made]
        candidates = []
        for width, _height, sha, _size in variants:
            variant = _name(sha, "webp")
            files[variant] = sha
            candidates.append(f"{base_url}{variant} {width}w")
        srcset = ", ".join([*candidates, f"{url} {image.width}w"]) if candidates else ""
        urls[image.id] = url
        sizes[url] = (image.width, image.height, srcset)
    return SiteImages(urls, sizes, files)


def with_images(pages: list[SitePage], images: SiteImages, public_url: str) -> list[SitePage]:
    """The pages with every reference to an uploaded image pointing at its published file."""
    if not images.urls:
        return pages
    media = public_url.rstrip("/") + "/media/"
    out = []
    for page in pages:
        text = page.body_html if page.body_html is not None else page.content
        ids = mentioned(text) & images.urls.keys()
        if not ids:
            out.append(page)
            continue
        for image_id in sorted(ids):
            url = images.urls[image_id]
            extension = url.rsplit(".", 1)[1]
            text = text.replace(f"{PREFIX}{image_id}", url).replace(f"{media}{image_id}.{extension}", url)
        digest = hashlib.sha256("\0".join(images.urls[i] for i in sorted(ids)).encode()).hexdigest()[:16]
        # The revision still names the content exactly: the same revision with the same image files.
        revision = f"{page.revision}:{digest}" if page.revision else ""
        if page.body_html is not None:
            out.append(replace(page, body_html=text, revision=revision))
        else:
            out.append(replace(page, content=text, revision=revision))
    return out


def place_images(out: Path, images: SiteImages, storage: ImageStorage) -> list[str]:
    """Hard-link the images the build uses into the slot `out`; returns the files it had to add."""
    added = []
    for name, key in images.files.items():
        target = out / name
        if os.path.exists(target):
            continue
        storage.blobs.place(key, target)
        added.append(name)
    return added
