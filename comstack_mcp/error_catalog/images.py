"""Error codes of images: uploads, resumable uploads and the blob store."""

from __future__ import annotations

from .entry import ErrorInfo as _E

CODES: dict[str, _E] = {
    "image_rejected": _E("The file was refused as an image.", "Read the message; send a PNG, JPEG, WebP, GIF or SVG."),
    "image_empty": _E("The upload had no bytes.", "Send the image's bytes as the body (or the 'file' form field)."),
    "image_type_unsupported": _E(
        "The bytes are not a PNG, JPEG, WebP, GIF or SVG image (the type is read from the bytes, not the name).",
        "Convert the file to one of those formats and upload it again.",
    ),
    "image_polyglot": _E(
        "The image also carries HTML or script, so it could be read as a web page.",
        "Export the image again from an image editor (a clean file) and upload that.",
    ),
    "image_corrupt": _E("The image is truncated or damaged and cannot be decoded.",
                        "Upload the complete original file; a resumable upload helps on unreliable links."),
    "image_too_many_pixels": _E("The image has more pixels than allowed (a decompression bomb guard).",
                                "Resize the image to a few thousand pixels wide and upload it again."),
    "image_too_many_frames": _E("The animation has more frames than allowed.",
                                "Shorten the animation or upload a still image."),
    "svg_invalid": _E("The SVG is not well-formed XML.", "Fix or re-export the SVG and upload it again."),
    "svg_unsafe": _E(
        "The SVG contains script, event handlers, external references or foreignObject; the message lists them.",
        "Remove what is listed (or export as plain SVG / PNG) and upload it again.",
    ),
    "svg_size_unknown": _E("The SVG has no usable width, height or viewBox.",
                           "Add a viewBox (or width and height) to the root <svg> element."),
    "blob_key_invalid": _E("An image storage key is malformed.", "Use the image's id or URL exactly as returned."),
    "blob_not_found": _E("The stored bytes of an image are missing.",
                         "Upload the image again; tell the operator if it keeps happening."),
    "upload_length_invalid": _E("Upload-Length is missing or not a whole number of bytes.",
                                "Send Upload-Length with the file's exact size when creating the upload."),
    "upload_too_large": _E("The declared upload is bigger than the resumable-upload limit.",
                           "Shrink the file below the limit named in the message."),
    "upload_chunk_too_large": _E("One PATCH chunk is bigger than allowed.",
                                 "Send smaller chunks (the message names the limit)."),
    "upload_length_exceeded": _E("The chunk would go past the upload's declared length.",
                                 "Send only the bytes that remain (HEAD tells the offset)."),
    "upload_offset_mismatch": _E("Upload-Offset is not where the upload stands.",
                                 "HEAD the upload for its offset and resume from there."),
    "upload_busy": _E("Another request is writing to this upload right now.", "Wait for it, HEAD, then resume."),
    "upload_incomplete": _E("The upload has not received all its bytes yet.",
                            "HEAD the upload for its offset and send the rest."),
    "upload_checksum_mismatch": _E("The chunk's bytes do not match its Upload-Checksum; nothing was written.",
                                   "Send the same chunk again."),
    "upload_checksum_unsupported": _E("The Upload-Checksum algorithm is not supported.", "Use sha256 (or sha1)."),
    "upload_checksum_invalid": _E("Upload-Checksum is malformed.",
                                  "Send 'sha256 <base64 digest of the chunk>'."),
    "upload_metadata_invalid": _E("Upload-Metadata is malformed.",
                                  "Send comma-separated 'key base64value' pairs."),
    "upload_not_found": _E("No such upload in this project.", "Create a new upload with POST."),
    "upload_expired": _E("The unfinished upload expired and was removed.", "Start a new upload with POST."),
}
