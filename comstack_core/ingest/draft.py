"""What goes in and out of ingestion: the capture, the extract and save requests, the proposed draft."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from ..schemas.base import Input, View
from ..schemas.pages import SLUG_DOC, PageCreate
from .language import LanguageSource

INGEST_METADATA_KEY = "ingested_from"


class CaptureRequest(Input):
    url: str = Field(description="The captured page's address as the browser shows it (http or https).")
    html: str = Field(description="The page's HTML as the browser has it (document.documentElement.outerHTML), "
                      "at most 1 MB in UTF-8.")
    title: str | None = Field(default=None, max_length=2000, description="document.title, if known.")


class ExtractRequest(Input):
    capture_id: str = Field(description="From capture.")
    template_id: str | None = Field(
        default=None, description="Doc template to fill; default: the one the page suggests."
    )
    instructions: str | None = Field(
        default=None, max_length=4000, description="Extra guidance for the LLM extractor (ignored without one)."
    )


class IngestedDraft(Input):
    """The draft to save: as proposed by extract, or edited."""

    title: str = Field(min_length=1, max_length=300, description="The page's title (at most 300 characters).")
    description: str = Field(default="", max_length=1000, description="One or two sentences for search and llms.txt.")
    slug: str = Field(description=SLUG_DOC)
    language: str | None = Field(default=None, description="BCP-47 tag; default: the project's default locale.")
    content: str = Field(description="Markdown body.")
    doc_template_id: str = Field(default="docs", description="The doc template, fixed when the page is created.")
    fields: dict[str, Any] = Field(default_factory=dict, description="The doc template's fields (page metadata).")


class SaveRequest(Input):
    capture_id: str = Field(description="The capture the draft was extracted from.")
    draft: IngestedDraft = Field(description="The proposed draft, as extract returned it or edited.")


class ImageRef(View):
    url: str = Field(description="Absolute URL of the image on the source site.")
    alt: str = ""
    title: str = ""
    source: Literal["content", "open_graph"] = Field(
        description="'content': the image is in the Markdown body; 'open_graph': the page's og:image."
    )


class TemplateSuggestion(View):
    id: str
    reason: str


class SourceMetadata(View):
    source_url: str = Field(description="The URL as captured (without credentials).")
    normalized_url: str = Field(description="The form captures are deduplicated by.")
    canonical_url: str | None = None
    captured_title: str | None = Field(default=None, description="The title the browser sent.")
    head_title: str | None = Field(default=None, description="The page's <title>.")
    site_name: str | None = None
    author: str | None = None
    published: str | None = None
    page_language: str | None = Field(default=None, description="The language the page declares or reads as.")
    open_graph: dict[str, str | list[str]] = Field(default_factory=dict)
    json_ld_types: list[str] = Field(default_factory=list)
    microdata_types: list[str] = Field(default_factory=list)


class ProposedDraft(View):
    capture_id: str | None = None
    title: str
    description: str
    slug: str = Field(description="Valid and, given the project's taken slugs, free.")
    language: str | None = Field(description="A project locale when the project's locales were given.")
    language_source: LanguageSource | None
    content: str = Field(description="Markdown body of the main content.")
    doc_template_id: str = Field(description="The template the fields are for (requested or suggested).")
    fields: dict[str, Any] = Field(description="The template's fields filled from the page's structured data.")
    field_sources: dict[str, str] = Field(
        default_factory=dict, description="Per field: json-ld, microdata, opengraph or page (meta tags, byline)."
    )
    suggested_template: TemplateSuggestion
    images: list[ImageRef]
    metadata: SourceMetadata
    extractor: Literal["default", "llm"] = "default"
    notes: list[str] = Field(default_factory=list)

    def as_draft(self) -> IngestedDraft:
        return IngestedDraft(
            title=self.title,
            description=self.description,
            slug=self.slug,
            language=self.language,
            content=self.content,
            doc_template_id=self.doc_template_id,
            fields=self.fields,
        )


def page_create(draft: IngestedDraft, source: SourceMetadata | None = None) -> PageCreate:
    """The ``PageCreate`` that saves an ingested draft through the editing service; the page's metadata is
    the template's fields plus where it came from."""
    metadata = dict(draft.fields)
    if source is not None:
        metadata[INGEST_METADATA_KEY] = {
            "url": source.source_url,
            **({"canonical_url": source.canonical_url} if source.canonical_url else {}),
        }
    return PageCreate(
        slug=draft.slug,
        language=draft.language,
        title=draft.title,
        description=draft.description,
        content=draft.content,
        doc_template_id=draft.doc_template_id,
        metadata=metadata,
    )
