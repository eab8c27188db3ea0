"""The tus 1.0 header values the upload store takes, parsed and checked: `Upload-Checksum` (checksum
extension) and `Upload-Metadata` (creation extension). The HTTP door passes the raw header text here
and the parsed values to `FileUploadStore`; what it answers on the wire stays in the door."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from comstack_core.errors import InvalidInput

VERSION = "1.0.0"
EXTENSIONS = ("creation", "checksum", "termination", "expiration")
# sha1 because the checksum extension requires every server to accept it (and clients such as tuspy
# send it); sha256 because it is what ComStack clients are told to use.
CHECKSUM_ALGORITHMS = ("sha256", "sha1")
MAX_METADATA_BYTES = 4096

_KEY = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # an ASCII token without spaces or commas


@dataclass(frozen=True)
class Checksum:
    algorithm: str
    digest: bytes


def parse_checksum(header: str) -> Checksum:
    """`Upload-Checksum: <algorithm> <base64 digest>`."""
    algorithm, _, encoded = header.strip().partition(" ")
    algorithm = algorithm.lower()
    if algorithm not in CHECKSUM_ALGORITHMS:
        raise InvalidInput(
            f"Checksum algorithm {algorithm!r} is not supported; use one of {', '.join(CHECKSUM_ALGORITHMS)} "
            "(Upload-Checksum: sha256 <base64 of the chunk's digest>).",
            code="upload_checksum_unsupported",
        )
    try:
        digest = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        digest = b""
    if len(digest) != hashlib.new(algorithm).digest_size:
        raise InvalidInput(
            f"Upload-Checksum must be '{algorithm} <base64 of the {algorithm} digest of this chunk>'.",
            code="upload_checksum_invalid",
        )
    return Checksum(algorithm, digest)


def parse_metadata(header: str) -> dict[str, str]:
    """`Upload-Metadata: key base64value,key2,...` -> {key: text}; a key without a value maps to ''."""
    invalid = InvalidInput(
        "Upload-Metadata must be comma-separated pairs 'key base64(value)' with unique keys, values in "
        f"UTF-8, at most {MAX_METADATA_BYTES} bytes in all.",
        code="upload_metadata_invalid",
    )
    if len(header.encode()) > MAX_METADATA_BYTES:
        raise invalid
    result: dict[str, str] = {}
    for pair in header.split(","):
        if not pair.strip():
            continue
        parts = pair.strip().split(" ")
        key = parts[0]
        if len(parts) > 2 or not _KEY.fullmatch(key) or key in result:
            raise invalid
        try:
            result[key] = base64.b64decode(parts[1], validate=True).decode() if len(parts) == 2 else ""
        except (binascii.Error, ValueError):
            raise invalid from None
    return result
