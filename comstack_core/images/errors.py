"""Errors of the image package. Each is a `comstack_core.errors` class (so every door already maps it)
with a code of its own; the few subclasses exist for the doors that answer them differently (tus wants
460 for a checksum mismatch and 410 for an expired upload)."""

from __future__ import annotations

from comstack_core.errors import InvalidInput, NotFound


class ImageRejected(InvalidInput):
    """The bytes are not an image ComStack stores. Nothing was stored."""

    code = "image_rejected"


class UploadChecksumMismatch(InvalidInput):
    """tus `checksum`: 460 Checksum Mismatch. The upload's offset did not move."""

    code = "upload_checksum_mismatch"


class UploadGone(NotFound):
    """tus `expiration`: 410 Gone for an upload the store knows has expired."""

    code = "upload_expired"


ACCEPTED = "Upload a PNG, JPEG, WebP, GIF or SVG file."
