"""Resumable image uploads (tus 1.0: creation, checksum, termination, expiration) scoped to a project.

The upload store (`comstack_core.images.FileUploadStore`) keeps the bytes; this service checks the
caller's access to the project on every request, keeps each upload to the project that created it, and
hands a finished upload to `ImageService.store_image`, so it passes the same checks as a direct upload.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

from ..auth import Principal, Role
from ..errors import InvalidInput
from ..images import FileUploadStore, UploadConfig, UploadState, parse_checksum, parse_metadata
from ..images.uploads import upload_not_found
from ..schemas.images import ImageView
from .access import project_access
from .base import Context, Service
from .images import ImageService, clean_alt

OFFSET_TYPE = "application/offset+octet-stream"
# Our own metadata keys hold a ':' that tus keys cannot contain, so a client's keys never collide.
PROJECT_KEY = "comstack:project"
ACTOR_KEY = "comstack:actor"


@dataclass(frozen=True)
class ChunkResult:
    state: UploadState
    image: ImageView | None  # set when this chunk finished the upload


class ImageUploadService(Service):
    def __init__(self, ctx: Context, images: ImageService) -> None:
        super().__init__(ctx)
        self.images = images
        settings = ctx.settings
        self.config = UploadConfig(
            max_upload_bytes=settings.image_upload_max_bytes,
            max_chunk_bytes=settings.image_chunk_max_bytes,
            ttl_seconds=settings.image_upload_ttl_seconds,
        )
        self.store = FileUploadStore.in_data_dir(settings.data_dir, self.config, clock=ctx.clock)

    async def _access(self, principal: Principal, project_id: str) -> None:
        async with self.db.read() as session:
            await project_access(session, principal, project_id, Role.editor, write=True, now=self.now())

    async def _state(self, project_id: str, upload_id: str) -> UploadState:
        state = await asyncio.to_thread(self.store.state, upload_id)
        if state.metadata.get(PROJECT_KEY) != project_id:
            raise upload_not_found(upload_id)  # another project's upload is no upload here
        return state

    async def limits(self, principal: Principal, project_id: str) -> UploadConfig:
        """What a resumable upload to this project may be (tus OPTIONS)."""
        await self._access(principal, project_id)
        return self.config

    async def create_upload(
        self, principal: Principal, project_id: str, length: int | None, metadata: str | None
    ) -> UploadState:
        """tus creation: `length` from Upload-Length; `metadata` the raw Upload-Metadata (`alt` is used)."""
        await self._access(principal, project_id)
        if length is None:
            raise InvalidInput(
                "Upload-Length is required: the whole file's size in bytes (Upload-Defer-Length is not supported).",
                code="upload_length_invalid",
            )
        values = parse_metadata(metadata) if metadata else {}
        values = {k: v for k, v in values.items() if not k.startswith("comstack:")}
        clean_alt(values.get("alt"))  # refused now rather than after the whole transfer
        values[PROJECT_KEY] = project_id
        values[ACTOR_KEY] = principal.actor_id or ""
        # Expired uploads go when new ones come: no separate timer to run.
        await asyncio.to_thread(self.store.sweep)
        return await asyncio.to_thread(self.store.create, length, values)

    async def upload_state(self, principal: Principal, project_id: str, upload_id: str) -> UploadState:
        """tus HEAD: where to resume."""
        await self._access(principal, project_id)
        return await self._state(project_id, upload_id)

    async def receive_chunk(
        self,
        principal: Principal,
        project_id: str,
        upload_id: str,
        offset: int | None,
        body: AsyncIterator[bytes],
        *,
        checksum: str | None = None,
        content_type: str = OFFSET_TYPE,
    ) -> ChunkResult:
        """tus PATCH: append the streamed body at `offset`; the last byte stores the image."""
        await self._access(principal, project_id)
        if content_type.split(";")[0].strip().lower() != OFFSET_TYPE:
            raise InvalidInput(
                f"A chunk is sent with 'Content-Type: {OFFSET_TYPE}'.", code="upload_content_type"
            )
        if offset is None or offset < 0:
            raise InvalidInput(
                "Upload-Offset is required: the offset HEAD reported.", code="upload_offset_invalid"
            )
        parsed = parse_checksum(checksum) if checksum else None
        await self._state(project_id, upload_id)
        with self.store.receive(upload_id, offset, parsed) as chunk:
            async for piece in body:
                if piece:
                    chunk.write(piece)
        state = chunk.state
        if not state.complete:
            return ChunkResult(state, None)
        return ChunkResult(state, await self._finish(principal, project_id, state))

    async def _finish(self, principal: Principal, project_id: str, state: UploadState) -> ImageView:
        data = await asyncio.to_thread(self.store.read_complete, state.id)
        try:
            image = await self.images.store_image(
                principal,
                project_id,
                data,
                alt=state.metadata.get("alt"),
                max_bytes=self.config.max_upload_bytes,
            )
        except InvalidInput:
            # Not an image we store: the bytes are of no further use. Other refusals (a full quota)
            # keep the upload, so an empty PATCH at its end can store it once there is room.
            await asyncio.to_thread(self.store.terminate, state.id)
            raise
        await asyncio.to_thread(self.store.terminate, state.id)
        return image

    async def terminate_upload(self, principal: Principal, project_id: str, upload_id: str) -> None:
        """tus termination (DELETE): abandon the upload and free its bytes."""
        await self._access(principal, project_id)
        await self._state(project_id, upload_id)
        await asyncio.to_thread(self.store.terminate, upload_id)
