"""Images: inspection and normalisation of uploads, srcset variants, the content-addressed blob store
and the store behind tus resumable uploads. No HTTP, no database: the image service, the doors and the
site builder use these parts."""

from __future__ import annotations

from comstack_core.images.blobs import BlobStore, FileBlobStore, blob_key
from comstack_core.images.config import DEFAULT_IMAGE_CONFIG, ImageConfig
from comstack_core.images.errors import ImageRejected
from comstack_core.images.pipeline import ProcessedImage, process_image

__all__ = [
    "DEFAULT_IMAGE_CONFIG",
    "BlobStore",
    "FileBlobStore",
    "ImageConfig",
    "ImageRejected",
    "ProcessedImage",
    "blob_key",
    "process_image",
]
