"""Resumable image uploads as the tus 1.0 protocol (creation, checksum, termination, expiration) under
``/api/projects/{project_id}/images/uploads``. The wire format (headers, status codes) is this module's;
every rule (access, limits, offsets, checksums, expiry, the image checks at the end) is the core's.
"""

from __future__ import annotations

from email.utils import format_datetime

from starlette.responses import JSONResponse, Response

from comstack_core.images.tus import CHECKSUM_ALGORITHMS, EXTENSIONS, VERSION
from comstack_core.images.uploads import UploadState

from .spec import Call, RouteSpec

UPLOADS = "/api/projects/{project_id}/images/uploads"
UPLOAD = UPLOADS + "/{upload_id}"


def _base(state: UploadState | None = None) -> dict[str, str]:
    headers = {"Tus-Resumable": VERSION, "Cache-Control": "no-store"}
    if state is not None:
        headers["Upload-Offset"] = str(state.offset)
        headers["Upload-Length"] = str(state.length)
        headers["Upload-Expires"] = format_datetime(state.expires_at, usegmt=True)
    return headers


def _version_refused(call: Call) -> Response | None:
    """tus: a request for another protocol version is answered 412 with the versions we speak. One
    without the header is taken as 1.0.0 (plain HTTP clients can then resume an upload too)."""
    if call.request.headers.get("tus-resumable", VERSION) == VERSION:
        return None
    return JSONResponse(
        {
            "error": f"Send 'Tus-Resumable: {VERSION}': this endpoint speaks the tus {VERSION} protocol.",
            "code": "tus_version_unsupported",
        },
        status_code=412,
        headers={"Tus-Version": VERSION, "Tus-Resumable": VERSION},
    )


def _int_header(call: Call, name: str) -> int | None:
    raw = call.request.headers.get(name)
    if raw is None:
        return None
    raw = raw.strip()
    # Digits only (no sign, no spaces): tus offsets and lengths are plain non-negative integers.
    return int(raw) if raw.isdigit() and len(raw) <= 18 else -1


def _location(call: Call, upload_id: str) -> str:
    # A path, not an absolute URL (RFC 9110 allows a reference): right behind any proxy or host name.
    return f"/api/projects/{call.project_id}/images/uploads/{upload_id}"


async def options(call: Call) -> Response:
    limits = await call.core.image_uploads.limits(call.principal, call.project_id)
    headers = {
        "Tus-Resumable": VERSION,
        "Tus-Version": VERSION,
        "Tus-Extension": ",".join(EXTENSIONS),
        "Tus-Max-Size": str(limits.max_upload_bytes),
        "Tus-Max-Chunk-Size": str(limits.max_chunk_bytes),
        "Tus-Checksum-Algorithm": ",".join(CHECKSUM_ALGORITHMS),
    }
    return Response(status_code=204, headers=headers)


async def create_upload(call: Call) -> Response:
    refused = _version_refused(call)
    if refused is not None:
        return refused
    length = _int_header(call, "upload-length")
    state = await call.core.image_uploads.create_upload(
        call.principal, call.project_id, length, call.request.headers.get("upload-metadata")
    )
    headers = _base(state)
    headers["Location"] = _location(call, state.id)
    return Response(status_code=201, headers=headers)


async def upload_offset(call: Call) -> Response:
    refused = _version_refused(call)
    if refused is not None:
        return refused
    state = await call.core.image_uploads.upload_state(
        call.principal, call.project_id, call.param("upload_id")
    )
    return Response(status_code=200, headers=_base(state))


async def append_chunk(call: Call) -> Response:
    refused = _version_refused(call)
    if refused is not None:
        return refused
    result = await call.core.image_uploads.receive_chunk(
        call.principal,
        call.project_id,
        call.param("upload_id"),
        _int_header(call, "upload-offset"),
        call.request.stream(),
        checksum=call.request.headers.get("upload-checksum"),
        content_type=call.request.headers.get("content-type", ""),
    )
    headers = _base(result.state)
    if result.image is not None:
        # The upload became an image: say which (the upload itself is gone).
        headers["Image-Id"] = result.image.id
        headers["Image-Url"] = result.image.url
        headers["Location"] = f"/api/projects/{call.project_id}/images/{result.image.id}"
    return Response(status_code=204, headers=headers)


async def terminate_upload(call: Call) -> Response:
    refused = _version_refused(call)
    if refused is not None:
        return refused
    await call.core.image_uploads.terminate_upload(call.principal, call.project_id, call.param("upload_id"))
    return Response(status_code=204, headers={"Tus-Resumable": VERSION})


def specs() -> list[RouteSpec]:
    t = "images"
    tus = " (tus 1.0; headers as the protocol says)"
    return [
        RouteSpec(
            "OPTIONS", UPLOADS, options, "What the resumable upload supports" + tus, t, status=204, extra_errors=(403, 404)
        ),
        RouteSpec(
            "POST",
            UPLOADS,
            create_upload,
            "Start a resumable upload (editor): Upload-Length, optional Upload-Metadata (alt); 201 Location"
            + tus,
            t,
            status=201,
            extra_errors=(400, 403, 404, 412, 413),
        ),
        RouteSpec(
            "HEAD",
            UPLOAD,
            upload_offset,
            "The offset to resume a resumable upload from" + tus,
            t,
            extra_errors=(404, 410, 412),
        ),
        RouteSpec(
            "PATCH",
            UPLOAD,
            append_chunk,
            "Send the next chunk (up to 5 MB) at Upload-Offset, optional Upload-Checksum sha256; the last chunk "
            "stores the image (Image-Id, Image-Url headers)" + tus,
            t,
            status=204,
            extra_errors=(400, 403, 404, 409, 410, 412, 413, 460),
        ),
        RouteSpec(
            "DELETE",
            UPLOAD,
            terminate_upload,
            "Abandon a resumable upload" + tus,
            t,
            status=204,
            extra_errors=(404, 410, 412),
        ),
    ]
