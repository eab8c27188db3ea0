"""Images: upload (base64, within the MCP body limit), list, delete."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from comstack_core import Core, Principal
from comstack_core.images.refs import decode_base64
from comstack_core.schemas.images import (
    ALT_DOC,
    ALT_MAX,
    ImageDelete,
    ImageDeleted,
    ImageFilter,
    ImageList,
    ImageView,
)

from ..spec import READ, Hints, ToolSpec
from .common import ProjectArg, part

UPLOAD = Hints(read_only=False, destructive=False, idempotent=True, open_world=False)
DESTRUCTIVE = Hints(read_only=False, destructive=True, idempotent=True, open_world=False)


class UploadImageArgs(ProjectArg):
    data_base64: str = Field(
        min_length=1,
        description="The image file's bytes in base64 (standard alphabet). PNG, JPEG, WebP, GIF or SVG; the "
        "type is read from the bytes. Up to about 2 MB through MCP; larger files go through the REST or "
        "resumable (tus) upload.",
    )
    alt: str | None = Field(default=None, max_length=ALT_MAX, description=ALT_DOC)


async def upload_image(core: Core, principal: Principal, args: UploadImageArgs) -> ImageView:
    data = decode_base64(args.data_base64)
    return await core.images.store_image(principal, args.project_id, data, alt=args.alt)


class ListImagesArgs(ImageFilter, ProjectArg):
    pass


async def list_images(core: Core, principal: Principal, args: ListImagesArgs) -> ImageList:
    return await core.images.list_images(principal, args.project_id, part(args, ImageFilter))


class DeleteImageArgs(ImageDelete, ProjectArg):
    image_id: str = Field(min_length=1, description="The image's id, 'img_...' (from list-images).")


async def delete_image(core: Core, principal: Principal, args: DeleteImageArgs) -> ImageDeleted:
    return await core.images.delete_image(principal, args.project_id, args.image_id, part(args, ImageDelete))


TOOLS: list[ToolSpec[Any]] = [
    ToolSpec(
        name="upload-image",
        title="Upload an image",
        description=(
            "Stores an image for the project's pages from base64 bytes, with alt text (say what it shows). "
            "Metadata (GPS, camera) is stripped; uploading the same file again returns the same image. Returns "
            "its id, url and reference: put ![alt](image:img_...) in a knowledge page's Markdown, or the url in "
            "a custom page's <img src>. Published pages get sized, lazy-loaded, responsive copies."
        ),
        input=UploadImageArgs,
        handler=upload_image,
        min_role="editor",
        writes=True,
        hints=UPLOAD,
    ),
    ToolSpec(
        name="list-images",
        title="List images",
        description=(
            "Lists the project's uploaded images, newest first (limit/offset), each with id, reference, url, "
            "size and alt text, plus the storage used and the plan's image quota."
        ),
        input=ListImagesArgs,
        handler=list_images,
        min_role="viewer",
        writes=False,
        hints=READ,
    ),
    ToolSpec(
        name="delete-image",
        title="Delete an image",
        description=(
            "Deletes an uploaded image (manager; repeat the project's name as project_name). Refused while live "
            "pages show it, naming them; force=true deletes anyway and publishing stays blocked until those "
            "pages stop naming it."
        ),
        input=DeleteImageArgs,
        handler=delete_image,
        min_role="manager",
        writes=True,
        hints=DESTRUCTIVE,
    ),
]
