"""Images of a project: storing uploaded bytes (every door and the importers go through `store_image`),
listing, alt text, deletion, and the public media file.

The bytes are inspected and re-encoded (`comstack_core.images.process_image`) outside any transaction;
the quota check, the blob write and the row are one transaction holding the project's lock, so
concurrent uploads cannot both fit in the last megabytes of a quota.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..auth import Principal
from ..clock import new_id
from ..config import Settings
from ..db import Database
from ..errors import Conflict, InvalidInput, NotFound, PayloadTooLarge, QuotaExceeded
from ..images import (
    FileBlobStore,
    FileVariantIndex,
    ImageConfig,
    ProcessedImage,
    ensure_variants,
    process_image,
)
from ..images.refs import ID, media_url, mentioned, reference
from ..images.sniff import CONTENT_TYPES, EXTENSIONS
from ..models import Image, Project
from ..rules.templates import default_quota
from ..schemas.images import (
    ALT_MAX,
    ImageDelete,
    ImageDeleted,
    ImageFilter,
    ImageList,
    ImageUpdate,
    ImageView,
    PageImageView,
)
from ..usecases import Need, use_case
from .access import check_name_echo, project_access
from .base import Context, Service, audit
from .image_rows import bump_image_generation, live_pages_using, lock_blob, used_bytes

MB = 1024 * 1024


def image_quota_bytes(project: Project) -> int:
    """The plan's `max_image_mb`; a plan written before images existed gets its tier's default."""
    quotas = (project.plan or {}).get("quotas", {})
    mb = quotas.get("max_image_mb")
    if mb is None:
        mb = default_quota((project.plan or {}).get("tier", "trial"), "max_image_mb")
    return int(mb) * MB


def image_view(image: Image, public_url: str) -> ImageView:
    return ImageView(
        id=image.id,
        reference=reference(image.id),
        url=media_url(public_url, image.id, EXTENSIONS[image.format]),
        content_type=CONTENT_TYPES[image.format],
        format=image.format,
        width=image.width,
        height=image.height,
        bytes=image.bytes,
        sha256=image.sha256,
        alt=image.alt,
        created_at=image.created_at,
        created_by=image.created_by,
    )


def clean_alt(alt: str | None) -> str:
    alt = " ".join((alt or "").split())
    if len(alt) > ALT_MAX:
        raise InvalidInput(f"alt is {len(alt)} characters; at most {ALT_MAX}.", code="invalid_alt")
    if "\x00" in alt:
        raise InvalidInput("alt contains a NUL character.", code="invalid_alt")
    return alt


def image_not_found(image_id: str) -> NotFound:
    return NotFound(
        f"No image {image_id!r} in this project. Call list-images for the project's images.",
        code="image_not_found",
    )


@dataclass(frozen=True)
class MediaFile:
    path: Path
    content_type: str


class ImageStorage:
    """Where image bytes live: the blob store and the variant index, under the data directory."""

    def __init__(self, settings: Settings) -> None:
        self.blobs = FileBlobStore.in_data_dir(settings.data_dir)
        self.variant_index = FileVariantIndex.in_data_dir(settings.data_dir)
        self.config = ImageConfig()
        # What publishing remembers of each project's published images between builds (project id ->
        # its memo, see publishing/site_images.py), so a publish adding no image does no work per image.
        self.site_memos: dict[str, Any] = {}
        # Build folder -> the published images last placed in it whole, and the folder's state just after.
        self.placed: dict[str, Any] = {}


class ImageService(Service):
    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.storage = ImageStorage(ctx.settings)

    @property
    def public_url(self) -> str:
        return self.ctx.settings.public_url

    @use_case(Need.editor, writes=True)
    async def store_image(
        self,
        principal: Principal,
        project_id: str,
        data: bytes,
        *,
        alt: str | None = None,
        max_bytes: int | None = None,
    ) -> ImageView:
        """Store image bytes for a project and return the image (`reference` is what pages write).

        The one entry point for every source of images: REST and MCP uploads, finished resumable
        uploads, importers. Refusals (not an image, unsafe SVG, too large, quota) store nothing; the
        same bytes twice answer the same image.
        """
        alt_text = clean_alt(alt)
        limit = max_bytes if max_bytes is not None else self.ctx.settings.max_image_bytes
        if len(data) > limit:
            raise PayloadTooLarge(
                f"The image is {len(data)} bytes; the limit is {limit} bytes. Use the resumable upload "
                "(tus, /images/uploads) for files up to its own limit, or shrink the image.",
                code="image_too_large",
                limit=limit,
            )
        now = self.now()
        # Checked before the work of decoding, so a caller without access learns it at once.
        async with self.db.read() as session:
            await project_access(session, principal, project_id, now=now)
        processed = await asyncio.to_thread(process_image, data, self.storage.config)
        image = await self._save(principal, project_id, processed, alt_text)
        if image.variants is None:
            await self._make_variants(image, processed)
        return image_view(image, self.public_url)

    async def _save(
        self, principal: Principal, project_id: str, processed: ProcessedImage, alt: str
    ) -> Image:
        now = self.now()
        async with self.db.write() as session:
            access = await project_access(session, principal, project_id, now=now, lock=True)
            existing = (
                await session.exec(
                    select(Image).where(Image.project_id == project_id, Image.sha256 == processed.sha256)
                )
            ).first()
            if existing is not None:
                if alt and not existing.alt:
                    existing.alt, existing.updated_at = alt, now
                    session.add(existing)
                return existing
            used = await used_bytes(session, project_id)
            limit = image_quota_bytes(access.project)
            if used + processed.size > limit:
                raise QuotaExceeded(
                    f"Image storage of project {access.project.name!r} is full: {used} of {limit} bytes used "
                    f"(max_image_mb {limit // MB}); this image needs {processed.size}. Delete unused images "
                    "(list-images, delete-image) or upgrade the plan.",
                    code="image_quota_exceeded",
                    quota="max_image_mb",
                    limit=limit,
                    used=used,
                )
            await lock_blob(session, processed.sha256, sqlite=self.ctx.settings.is_sqlite)
            await asyncio.to_thread(self.storage.blobs.put, processed.data)
            image = Image(
                id=new_id("img", 24),
                project_id=project_id,
                sha256=processed.sha256,
                format=processed.format,
                width=processed.width,
                height=processed.height,
                bytes=processed.size,
                frames=processed.frames,
                alt=alt,
                created_at=now,
                created_by=principal.actor_id,
                updated_at=now,
            )
            session.add(image)
            await bump_image_generation(session, project_id)
            audit(
                session,
                principal,
                "image.upload",
                project_id=project_id,
                targets=[image.id],
                detail={"sha256": image.sha256, "bytes": image.bytes, "format": image.format},
                at=now,
            )
            return image

    async def _make_variants(self, image: Image, processed: ProcessedImage | None = None) -> None:
        """The srcset variants, made once per stored image (shared by every project holding the bytes)."""
        storage = self.storage
        made = await asyncio.to_thread(
            ensure_variants, image.sha256, storage.blobs, storage.variant_index, storage.config, processed
        )
        variants = [[v.width, v.height, v.sha256, v.size] for v in made]
        async with self.db.write() as session:
            row = await session.get(Image, image.id)
            if row is not None:
                row.variants = variants
                session.add(row)
        image.variants = variants

    @use_case(Need.viewer, writes=False)
    async def list_images(self, principal: Principal, project_id: str, filters: ImageFilter) -> ImageList:
        async with self.db.read() as session:
            access = await project_access(session, principal, project_id, now=self.now())
            total = (
                await session.exec(
                    select(func.count()).select_from(Image).where(Image.project_id == project_id)
                )
            ).one()
            rows = await session.exec(
                select(Image)
                .where(Image.project_id == project_id)
                .order_by(col(Image.created_at).desc(), col(Image.id).desc())
                .offset(filters.offset)
                .limit(filters.limit)
            )
            images = [image_view(row, self.public_url) for row in rows]
            used = await used_bytes(session, project_id)
        return ImageList(
            total=total, images=images, used_bytes=used, quota_bytes=image_quota_bytes(access.project)
        )

    @use_case(Need.viewer, writes=False)
    async def get_image(self, principal: Principal, project_id: str, image_id: str) -> ImageView:
        async with self.db.read() as session:
            await project_access(session, principal, project_id, now=self.now())
            return image_view(await _find(session, project_id, image_id), self.public_url)

    @use_case(Need.editor, writes=True)
    async def update_image(
        self, principal: Principal, project_id: str, image_id: str, data: ImageUpdate
    ) -> ImageView:
        now = self.now()
        async with self.db.write() as session:
            await project_access(session, principal, project_id, now=now)
            image = await _find(session, project_id, image_id)
            alt = clean_alt(data.alt)
            if alt != image.alt:
                image.alt, image.updated_at = alt, now
                session.add(image)
                audit(session, principal, "image.update", project_id=project_id, targets=[image.id], at=now)
            return image_view(image, self.public_url)

    @use_case(Need.manager, writes=True)
    async def delete_image(
        self, principal: Principal, project_id: str, image_id: str, data: ImageDelete
    ) -> ImageDeleted:
        now = self.now()
        async with self.db.write() as session:
            access = await project_access(session, principal, project_id, now=now, lock=True)
            check_name_echo(access.project, data.project_name)
            image = await _find(session, project_id, image_id)
            pages = await live_pages_using(session, project_id, image.id)
            if pages and not data.force:
                raise Conflict(
                    f"Image {image.id} is shown by {len(pages)} live page(s): {', '.join(pages[:20])}. Remove it "
                    "from those pages and publish, or delete with force=true (publishing is then blocked until "
                    "the pages no longer name it).",
                    code="image_in_use",
                    pages=pages,
                )
            await session.delete(image)
            await bump_image_generation(session, project_id)
            await lock_blob(session, image.sha256, sqlite=self.ctx.settings.is_sqlite)
            others = (
                await session.exec(
                    select(func.count())
                    .select_from(Image)
                    .where(Image.sha256 == image.sha256, Image.id != image.id)
                )
            ).one()
            audit(
                session,
                principal,
                "image.delete",
                project_id=project_id,
                targets=[image.id],
                detail={"sha256": image.sha256, "forced_pages": pages},
                at=now,
            )
            await session.flush()
            if not others:
                # Still under the blob lock: no upload of these bytes can take them back meanwhile.
                # Published sites keep their own hard links to the file.
                await asyncio.to_thread(self._drop_blob, image.sha256)
        return ImageDeleted(deleted=True, id=image.id, pages=pages)

    def _drop_blob(self, sha256: str) -> None:
        storage = self.storage
        for variant in storage.variant_index.get(sha256).values():
            storage.blobs.delete(variant.sha256)
        storage.variant_index.remove(sha256)
        storage.blobs.delete(sha256)

    async def media_file(self, name: str) -> MediaFile:
        """The stored file behind an image URL (`img_….ext`). Public: the id is the capability, as for
        the published site's copies; unknown, deleted and misspelt names are alike not found."""
        stem, _, extension = name.partition(".")
        missing = NotFound("No such image.", code="image_not_found")
        if not ID.fullmatch(stem):
            raise missing
        async with self.db.read() as session:
            image = await session.get(Image, stem)
        if image is None or EXTENSIONS[image.format] != extension:
            raise missing
        path = self.storage.blobs.local_path(image.sha256)
        if path is None:
            raise missing
        return MediaFile(path, CONTENT_TYPES[image.format])


async def _find(session: AsyncSession, project_id: str, image_id: str) -> Image:
    image = await session.get(Image, image_id) if ID.fullmatch(image_id or "") else None
    if image is None or image.project_id != project_id:
        raise image_not_found(image_id)
    return image


async def resolve_images(db: Database, project_id: str, text: str | None, public_url: str) -> list[PageImageView]:
    """The images a page's text names, each with its URL and size, or found=False."""
    refs = sorted(mentioned(text))
    async with db.read() as session:
        rows = await session.exec(select(Image).where(Image.project_id == project_id, col(Image.id).in_(refs)))
        found = {row.id: row for row in rows}
    views = []
    for image_id in refs:
        image = found.get(image_id)
        if image is None:
            views.append(PageImageView(reference=reference(image_id), id=image_id, found=False))
            continue
        view = image_view(image, public_url)
        views.append(
            PageImageView(
                reference=view.reference,
                id=image_id,
                found=True,
                url=view.url,
                width=view.width,
                height=view.height,
                alt=view.alt,
            )
        )
    return views
