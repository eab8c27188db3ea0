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
from itertools import compress
from operator import is_not
from pathlib import Path
from typing import Generic, TypeVar

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
T = TypeVar("T")


@dataclass(frozen=True)
class SiteImages:
    urls: dict[str, str]  # image id -> its published URL
    sizes: dict[str, tuple[int, int, str]]  # published URL -> width, height, srcset
    files: dict[str, str]  # file under the site -> blob key
    # What `with_images` made of each page for exactly these images, by page object.
    rewritten: _ByPage[SitePage] = field(default_factory=lambda: _ByPage(), compare=False, repr=False)

    @cached_property
    def in_folder(self) -> dict[str, str]:
        """Each file's name in the images folder (every published image file is directly in it) -> file."""
        return {name[len(ASSETS) :]: name for name in self.files}


class _ByPage(Generic[T]):
    """Something worked out for each page object of a list, kept while the object is in the list.

    A publish hands over the same page objects as the last one but for the few it changed (the build input
    cache keeps a page's object while the page is unchanged), so the pages that came and went are found by
    comparing the two lists' objects in C, and only those are worked out. The objects are kept, so that an
    id cannot be reused by another page while its entry stands."""

    def __init__(self) -> None:
        self.order: list[SitePage] = []  # the last list, as given
        self.pages: dict[int, SitePage] = {}  # its objects
        self.values: dict[int, T] = {}

    def update(self, pages: list[SitePage]) -> tuple[list[T], list[SitePage]]:
        """Forget the pages not in ``pages``; answer the values of those forgotten and the pages that are new
        (the caller then `add`s a value for each)."""
        old, self.order = self.order, list(pages)
        if len(old) == len(pages) and len(self.pages) == len(old):
            # The same length and no object twice in the last list: whatever came or went is at a position
            # where the two lists differ (an object that went but is still at an unchanged position would
            # have been in the last list twice).
            differ = list(map(is_not, old, pages))
            came = {id(page): page for page in compress(pages, differ)}
            went = [page for page in compress(old, differ) if id(page) not in came]
            for page in went:
                del self.pages[id(page)]
            new = [page for key, page in came.items() if key not in self.pages]
            self.pages.update((id(page), page) for page in new)
        else:
            now = dict(zip(map(id, pages), pages, strict=True))
            went = [self.pages[key] for key in self.pages.keys() - now.keys()]
            new = [now[key] for key in now.keys() - self.pages.keys()]
            self.pages = now
        return [self.values.pop(id(page)) for page in went], new

    def add(self, page: SitePage, value: T) -> None:
        self.values[id(page)] = value

    def in_order(self, pages: list[SitePage]) -> list[T]:
        return list(map(self.values.__getitem__, map(id, pages)))


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
    kept per page object, with how many of the pages name each image, and the project's image ids are kept
    until its image generation moves. A publish that adds no image then reads no row and works out nothing
    for an image or an unchanged page."""

    published: dict[str, _Published] = field(default_factory=dict)
    mentions: _ByPage[frozenset[str]] = field(default_factory=lambda: _ByPage())
    named: dict[str, int] = field(default_factory=dict)  # image id -> how many of the pages name it
    stale: bool = True  # whether the images named or the ids may have moved since `last` was answered
    last: tuple[frozenset[str], str, SiteImages] | None = None  # (images, base URL, what was answered)
    ids: tuple[int, frozenset[str]] | None = None  # the project's image generation, and its image ids then


MEMO_PROJECTS = 8  # as many projects as the build input cache keeps
_PROJECT_IMAGE_IDS = select(col(Image.id)).where(col(Image.project_id) == bindparam("project_id"))


def _memo(storage: ImageStorage, project_id: str) -> _Memo:
    memos = storage.site_memos
    memo = memos.pop(project_id, None) or _Memo()
    memos[project_id] = memo  # most recently used last
    while len(memos) > MEMO_PROJECTS:
        memos.pop(next(iter(memos)))
    return memo


def _name(sha256: str, extension: str) -> str:
    return f"{ASSETS}{sha256[:NAME_CHARS]}.{extension}"


# Most pages name no image: they share one empty set (each new empty frozenset takes 216 bytes).
_NONE: frozenset[str] = frozenset()


def _named(memo: _Memo, pages: list[SitePage]) -> bool:
    """Bring ``memo.named`` to the images ``pages`` name; say whether that set of images changed."""
    gone, new = memo.mentions.update(pages)
    named, before = memo.named, len(memo.named)
    moved = False
    for ids in gone:
        for image_id in ids:
            if named[image_id] == 1:
                del named[image_id]
                moved = True
            else:
                named[image_id] -= 1
    for page in new:
        ids = frozenset(mentioned(page.body_html if page.body_html is not None else page.content)) or _NONE
        memo.mentions.add(page, ids)
        for image_id in ids:
            named[image_id] = named.get(image_id, 0) + 1
    return moved or len(named) != before


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
    session: AsyncSession, project: Project, pages: list[SitePage], base_url: str, storage: ImageStorage
) -> SiteImages:
    """The images ``pages`` show; ``project`` is the row read at the start of the same transaction."""
    memo = _memo(storage, project.id)
    if _named(memo, pages):
        memo.stale = True
    if not memo.named:
        return SiteImages({}, {}, {})
    # Which images exist changes only with an upload or a deletion, and each moves the project's image
    # generation in its own transaction: the ids are read again only then. The generation came with the
    # project's row, read before them, so ids read after it can only be newer than it says (and are read
    # again next time), never older.
    generation = project.image_generation
    if memo.ids is None or memo.ids[0] != generation:
        connection = await session.connection()
        ids = (await connection.execute(_PROJECT_IMAGE_IDS, {"project_id": project.id})).scalars()
        memo.ids, memo.stale = (generation, frozenset(ids)), True
    # Unless the images named or the ids moved since the last answer, the images shown are still its own.
    fresh = memo.stale or memo.last is None
    existing = frozenset(memo.named.keys() & memo.ids[1]) if fresh or memo.last is None else memo.last[0]
    if memo.last is not None and memo.last[0] == existing and memo.last[1] == base_url:
        memo.stale = False
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
    memo.last, memo.stale = (
        (existing, base_url, answer),
        False,
    )  # in this order: `last` answers for `existing`
    return answer


def with_images(pages: list[SitePage], images: SiteImages, public_url: str) -> list[SitePage]:
    """The pages with every reference to an uploaded image pointing at its published file."""
    if not images.urls:
        return pages
    media = public_url.rstrip("/") + "/media/"
    made = images.rewritten
    for page in made.update(pages)[1]:
        made.add(page, _with_urls(page, images, media))
    return made.in_order(pages)


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
    if _settled(state):
        storage.placed[str(out)] = (images, state)
        while len(storage.placed) > 4 * MEMO_PROJECTS:  # slots and dry-run folders of recent projects
            storage.placed.pop(next(iter(storage.placed)))
    else:
        storage.placed.pop(str(out), None)
    return added


# A folder's modification time comes from a coarse clock: the kernel's tick (a few milliseconds) on file
# systems that keep sub-second times, a second or two on those that keep whole seconds. A change in the same
# step of that clock as our look would not move it, so only a folder left unchanged for longer is remembered.
TICK_SETTLED_NS = 100_000_000
SECONDS_SETTLED_NS = 2_000_000_000


def _settled(state: tuple[int, int] | None) -> bool:
    if state is None:
        return True
    whole_seconds = state[1] % 1_000_000_000 == 0  # almost surely a file system without sub-second times
    return time.time_ns() - state[1] > (SECONDS_SETTLED_NS if whole_seconds else TICK_SETTLED_NS)


def _folder_state(folder: Path) -> tuple[int, int] | None:
    try:
        stat = os.stat(folder)
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_mtime_ns
