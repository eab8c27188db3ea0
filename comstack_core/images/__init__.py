"""Images: inspection and normalisation of uploads, srcset variants, the content-addressed blob store
and the store behind tus resumable uploads. No HTTP, no database: the image service, the doors and the
site builder use these parts."""

from __future__ import annotations

from comstack_core.images.blobs import BlobStore, FileBlobStore, blob_key
from comstack_core.images.config import DEFAULT_IMAGE_CONFIG, DEFAULT_UPLOAD_CONFIG, ImageConfig, UploadConfig
from comstack_core.images.errors import ImageRejected, UploadChecksumMismatch, UploadGone
from comstack_core.images.pipeline import ProcessedImage, process_image
from comstack_core.images.tus import Checksum, parse_checksum, parse_metadata
from comstack_core.images.uploads import Chunk, FileUploadStore, UploadState
from comstack_core.images.variants import (
    FileVariantIndex,
    Variant,
    VariantIndex,
    ensure_variants,
    planned_widths,
    render_variants,
)

__all__ = [
    "DEFAULT_IMAGE_CONFIG",
    "DEFAULT_UPLOAD_CONFIG",
    "BlobStore",
    "Checksum",
    "Chunk",
    "FileBlobStore",
    "FileUploadStore",
    "FileVariantIndex",
    "ImageConfig",
    "ImageRejected",
    "ProcessedImage",
    "UploadChecksumMismatch",
    "UploadConfig",
    "UploadGone",
    "UploadState",
    "Variant",
    "VariantIndex",
    "blob_key",
    "ensure_variants",
    "parse_checksum",
    "parse_metadata",
    "planned_widths",
    "process_image",
    "render_variants",
]
