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
import time
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from sqlalchemy import bindparam
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..images import ensure_variants
from ..images.refs import PREFIX, mentioned
from ..images.sniff import EXTENSIONS
from ..models import Image, Project
from ..services.images import ImageStorage
from ..site import SitePage

ASSETS = "assets/img/"
NAME_CHARS = 20  # 80 bits of the SHA-256: unique among any site's images, short in the HTML


@dataclass(frozen=True)
class SiteImages:
    urls: dict[str, str]  # image id -> its published URL
    sizes: dict[str, tuple[int, int, str]]  # published URL -> width, height, srcset
    files: dict[str, str]  # file under the site -> blob key
    # What `with_images` made of each page for exactly these images: id(page) -> (page, the page it made).
    # The page is kept so that its id cannot be reused while the entry stands.
    rewritten: dict[int, tuple[SitePage, SitePage]] = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def in_folder(self) -> dict[str, str]:
        """Each file's name in the images folder (every published image file is directly in it) -> file."""
        return {name[len(ASSETS) :]: name for name in self.files}


@dataclass(frozen=True)
class _Published:
    """How one image is published, whatever the site's address: its file, size and srcset variants."""

    name: str
    width: int
    height: int
    variants: tuple[tuple[str, int], ...]  # (file, width), smallest first
    files: tuple[tuple[str, str], ...]  # (file, blob key)


@dataclass
class _Memo:
    """What a runner (or the dry run's check) learned of one project's images in earlier builds.

    An image row never changes what a build makes of it: its bytes, format and size are fixed, and its
    variants are made once. So an image's published form is kept by id, the images each page names are
    kept per page object (the build input cache hands back the same object while a page is unchanged), and
    the project's image ids are kept until its image generation moves. A publish that adds no image then
    reads one number and does no work per image or per unchanged page beyond a dictionary lookup."""

    published: dict[str, _Published] = field(default_factory=dict)
    mentions: dict[int, tuple[SitePage, frozenset[str]]] = field(default_factory=dict)
    last: tuple[frozenset[str], str, SiteImages] | None = None  # (images, base URL, what was answered)
    ids: tuple[int, frozenset[str]] | None = None  # the project's image generation, and its image ids then


MEMO_PROJECTS = 8  # as many projects as the build input cache keeps
_PROJECT_IMAGE_IDS = select(col(Image.id)).where(col(Image.project_id) == bindparam("project_id"))
_IMAGE_GENERATION = select(col(Project.image_generation)).where(col(Project.id) == bindparam("project_id"))


def _memo(storage: ImageStorage, project_id: str) -> _Memo:
    memos = storage.site_memos
    memo = memos.pop(project_id, None) or _Memo()
    memos[project_id] = memo  # most recently used last
    while len(memos) > MEMO_PROJECTS:
        memos.pop(next(iter(memos)))
    return memo


def _name(sha256: str, extension: str) -> str:
    return f"{ASSETS}{sha256[:NAME_CHARS]}.{extension}"


def _wanted(memo: _Memo, pages: list[SitePage]) -> set[str]:
    mentions: dict[int, tuple[SitePage, frozenset[str]]] = {}
    wanted: set[str] = set()
    for page in pages:
        seen = memo.mentions.get(id(page))
        if seen is not None and seen[0] is page:
            ids = seen[1]
        else:
            ids = frozenset(mentioned(page.body_html if page.body_html is not None else page.content))
        mentions[id(page)] = (page, ids)
        wanted |= ids
    memo.mentions = mentions  # only this site's pages: the memo never outgrows the site
    return wanted


def _published(image: Image, storage: ImageStorage) -> _Published:
    name = _name(image.sha256, EXTENSIONS[image.format])
    variants = image.variants
    if variants is None:  # the upload's variants were never recorded (a crash right after it)
        made = ensure_variants(image.sha256, storage.blobs, storage.variant_index, storage.config)
        variants = [[v.width, v.height, v.sha256, v.size] for v in made]
    files = [(name, image.sha256)]
    listed = []
    for width, _height, sha, _size in variants:
        variant = _name(sha, "webp")
        files.append((variant, sha))
        listed.append((variant, width))
    return _Published(name, image.width, image.height, tuple(listed), tuple(files))


async def site_images(
    session: AsyncSession, project_id: str, pages: list[SitePage], base_url: str, storage: ImageStorage
) -> SiteImages:
    memo = _memo(storage, project_id)
    wanted = _wanted(memo, pages)
    if not wanted:
        return SiteImages({}, {}, {})
    # Which images exist changes only with an upload or a deletion, and each moves the project's image
    # generation in its own transaction: the ids are read again only then. The generation is read first, so
    # ids read after it can only be newer than it says (and are read again next time), never older.
    connection = await session.connection()
    params = {"project_id": project_id}
    generation = (await connection.execute(_IMAGE_GENERATION, params)).scalar_one()
    if memo.ids is None or memo.ids[0] != generation:
        memo.ids = (generation, frozenset((await connection.execute(_PROJECT_IMAGE_IDS, params)).scalars()))
    existing = frozenset(wanted & memo.ids[1])
    if memo.last is not None and memo.last[0] == existing and memo.last[1] == base_url:
        return memo.last[2]
    unknown = sorted(existing - memo.published.keys())
    if unknown:
        rows = await session.exec(select(Image).where(col(Image.id).in_(unknown)))
        for image in rows:
            memo.published[image.id] = _published(image, storage)
    urls: dict[str, str] = {}
    sizes: dict[str, tuple[int, int, str]] = {}
    files: dict[str, str] = {}
    for image_id in sorted(existing):
        known = memo.published[image_id]
        url = base_url + known.name
        files.update(known.files)
        candidates = [f"{base_url}{variant} {width}w" for variant, width in known.variants]
        srcset = ", ".join([*candidates, f"{url} {known.width}w"]) if candidates else ""
        urls[image_id] = url
        sizes[url] = (known.width, known.height, srcset)
    answer = SiteImages(urls, sizes, files)
    memo.last = (existing, base_url, answer)
    return answer


def with_images(pages: list[SitePage], images: SiteImages, public_url: str) -> list[SitePage]:
    """The pages with every reference to an uploaded image pointing at its published file."""
    if not images.urls:
        return pages
    media = public_url.rstrip("/") + "/media/"
    made: dict[int, tuple[SitePage, SitePage]] = {}
    out = []
    for page in pages:
        seen = images.rewritten.get(id(page))
        result = seen[1] if seen is not None and seen[0] is page else _with_urls(page, images, media)
        made[id(page)] = (page, result)
        out.append(result)
    images.rewritten.clear()
    images.rewritten.update(made)
    return out


def _with_urls(page: SitePage, images: SiteImages, media: str) -> SitePage:
    text = page.body_html if page.body_html is not None else page.content
    ids = mentioned(text) & images.urls.keys()
    if not ids:
        return page
    for image_id in sorted(ids):
        url = images.urls[image_id]
        extension = url.rsplit(".", 1)[1]
        text = text.replace(f"{PREFIX}{image_id}", url).replace(f"{media}{image_id}.{extension}", url)
    digest = hashlib.sha256("\0".join(images.urls[i] for i in sorted(ids)).encode()).hexdigest()[:16]
    # The revision still names the content exactly: the same revision with the same image files.
    revision = f"{page.revision}:{digest}" if page.revision else ""
    if page.body_html is not None:
        return replace(page, body_html=text, revision=revision)
    return replace(page, content=text, revision=revision)


def place_images(out: Path, images: SiteImages, storage: ImageStorage) -> list[str]:
    """Hard-link the images the build uses into the slot `out`; returns the files it had to add."""
    folder = out / ASSETS
    last = storage.placed.get(str(out))
    if last is not None and last[0] is images and last[1] == _folder_state(folder):
        # Every one of these files was there, and no entry of the folder has been added, removed or
        # renamed since (each changes the folder's modification time); the files are immutable links.
        return []
    try:  # one read of the folder, not a look-up per file: a site may show thousands of images
        present = os.listdir(folder)
    except FileNotFoundError:
        present = []
    added = []
    for missing in sorted(images.in_folder.keys() - present):
        name = images.in_folder[missing]
        storage.blobs.place(images.files[name], out / name)
        added.append(name)
    state = _folder_state(folder)
    # A folder's modification time has the kernel's coarse clock (a few milliseconds): a change in the same
    # tick as this look would not move it. Only a folder left unchanged for a while is remembered.
    if state is None or time.time_ns() - state[1] > SETTLED_NS:
        storage.placed[str(out)] = (images, state)
        while len(storage.placed) > 4 * MEMO_PROJECTS:  # slots and dry-run folders of recent projects
            storage.placed.pop(next(iter(storage.placed)))
    else:
        storage.placed.pop(str(out), None)
    return added


SETTLED_NS = 2_000_000_000


def _folder_state(folder: Path) -> tuple[int, int] | None:
    try:
        stat = os.stat(folder)
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_mtime_ns
