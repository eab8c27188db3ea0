"""Ingestion: a page captured in the user's browser becomes a proposed draft (SPEC §12).

The server never fetches a URL: everything here works on the HTML the browser sent. Pure functions
with no storage; the capture table, routes and MCP tools call them.
"""

from __future__ import annotations

from .content import markdown_text
from .document import MAX_HTML_BYTES
from .draft import (
    CaptureRequest,
    ExtractRequest,
    ImageRef,
    IngestedDraft,
    ProposedDraft,
    SaveRequest,
    SourceMetadata,
    TemplateSuggestion,
    page_create,
)
from .extract import PreparedCapture, extract_page, prepare_capture
from .extractors import ChatCompletionsExtractor, DefaultExtractor, ExtractionInput, Extractor
from .settings import IngestSettings
from .slugs import free_slug, suggest_slug
from .urls import normalize_url

__all__ = [
    "MAX_HTML_BYTES",
    "CaptureRequest",
    "ChatCompletionsExtractor",
    "DefaultExtractor",
    "ExtractRequest",
    "ExtractionInput",
    "Extractor",
    "ImageRef",
    "IngestSettings",
    "IngestedDraft",
    "PreparedCapture",
    "ProposedDraft",
    "SaveRequest",
    "SourceMetadata",
    "TemplateSuggestion",
    "extract_page",
    "free_slug",
    "markdown_text",
    "normalize_url",
    "page_create",
    "prepare_capture",
    "suggest_slug",
]
