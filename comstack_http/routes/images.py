"""Images under ``/api/projects/{project_id}/images``, and the public image files under ``/media``.

An upload's body is the image itself (with any Content-Type) or ``multipart/form-data`` with a ``file``
field; either way the core reads the type from the bytes. Resumable uploads are in ``image_uploads.py``.
"""

from __future__ import annotations

from pydantic import Field
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse

from comstack_core.errors import InvalidInput
from comstack_core.schemas.base import Input
from comstack_core.schemas.images import (
    ALT_DOC,
    ALT_MAX,
    ImageDelete,
    ImageFilter,
    ImageList,
    ImageUpdate,
    ImageView,
)

from .spec import Call, RouteSpec

IMAGES = "/api/projects/{project_id}/images"
IMAGE = IMAGES + "/{image_id}"
# A form's own fields (alt) are small; the file part is bounded by the body limit of the route.
FORM_FIELD_BYTES = 64 * 1024


class UploadQuery(Input):
    alt: str | None = Field(default=None, max_length=ALT_MAX, description=ALT_DOC)


async def _form_upload(request: Request, alt: str | None) -> tuple[bytes, str | None]:
    async with request.form(max_files=1, max_fields=4, max_part_size=FORM_FIELD_BYTES) as form:
        file = form.get("file")
        if not isinstance(file, UploadFile):
            raise InvalidInput(
                "A multipart upload carries the image in a form field named 'file' (and optionally 'alt').",
                code="invalid_input",
            )
        form_alt = form.get("alt")
        return await file.read(), form_alt if isinstance(form_alt, str) else alt


async def upload_image(call: Call) -> ImageView:
    alt = call.query(UploadQuery).alt
    request = call.request
    if request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        data, alt = await _form_upload(request, alt)
    else:
        data = await request.body()
    return await call.core.images.store_image(call.principal, call.project_id, data, alt=alt)


async def list_images(call: Call) -> ImageList:
    return await call.core.images.list_images(call.principal, call.project_id, call.query(ImageFilter))


async def get_image(call: Call) -> ImageView:
    return await call.core.images.get_image(call.principal, call.project_id, call.param("image_id"))


async def update_image(call: Call) -> ImageView:
    return await call.core.images.update_image(
        call.principal, call.project_id, call.param("image_id"), call.body(ImageUpdate)
    )


async def delete_image(call: Call) -> None:
    await call.core.images.delete_image(
        call.principal, call.project_id, call.param("image_id"), call.body(ImageDelete)
    )


async def media_file(call: Call) -> FileResponse:
    found = await call.core.images.media_file(call.param("file"))
    headers = {
        # The URL names one image forever (ids are never reused, stored bytes never change).
        "Cache-Control": "public, max-age=31536000, immutable",
        "X-Content-Type-Options": "nosniff",
        # An SVG opened on its own runs as a document of this origin: no script, no requests out.
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    }
    return FileResponse(found.path, media_type=found.content_type, headers=headers)


def specs() -> list[RouteSpec]:
    t = "images"
    return [
        RouteSpec(
            "POST",
            IMAGES,
            upload_image,
            "Upload an image (editor): the body is the image, or multipart/form-data with 'file'; ?alt= "
            "optional. PNG, JPEG, WebP, GIF or sanitized SVG, type read from the bytes; up to 10 MB",
            t,
            query=UploadQuery,
            response=ImageView,
            status=201,
            extra_errors=(400, 403, 404, 413),
        ),
        RouteSpec(
            "GET",
            IMAGES,
            list_images,
            "List the project's images, newest first",
            t,
            query=ImageFilter,
            response=ImageList,
            extra_errors=(403, 404),
        ),
        RouteSpec("GET", IMAGE, get_image, "Get one image", t, response=ImageView, extra_errors=(404,)),
        RouteSpec(
            "PATCH",
            IMAGE,
            update_image,
            "Change an image's alt text (editor)",
            t,
            body=ImageUpdate,
            response=ImageView,
            extra_errors=(400, 403, 404),
        ),
        RouteSpec(
            "DELETE",
            IMAGE,
            delete_image,
            "Delete an image (manager, name echo); refused while live pages show it unless force",
            t,
            body=ImageDelete,
            query=ImageDelete,
            body_or_query=True,
            status=204,
            extra_errors=(400, 403, 404, 409),
        ),
        RouteSpec(
            "GET",
            "/media/{file}",
            media_file,
            "An uploaded image's file (public: its id is unguessable; the URL is the image's 'url')",
            t,
            auth=False,
            media_type="image/*",
            extra_errors=(404,),
        ),
    ]
