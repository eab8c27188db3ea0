"""Extractors behind one interface: the default one (``extract_page``) and an optional LLM one.

The LLM extractor speaks the OpenAI chat-completions format to a configured endpoint (URL, key,
model): it sends the default extraction (Markdown body, title, description, slug, template fields)
with the template's field definitions and the caller's instructions, and asks for the same fields
back as one JSON object. Its answer is validated field by field; an answer that fails (HTTP error,
timeout, not JSON, a wrong type, an invalid slug, an unknown template or language) is dropped whole
and the default extraction is returned with a note saying why. The page's HTML is never sent: the
default extraction already removed what is not content, which is also most of the cost.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Container, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import InvalidInput
from ..rules.templates import check_metadata_types
from .content import tidy_markdown, without_title
from .document import MAX_HTML_BYTES
from .draft import ProposedDraft
from .extract import extract_page
from .fields import template_infos
from .language import canonical_tag
from .slugs import free_slug

log = logging.getLogger(__name__)

SYSTEM_PROMPT = """You turn a web page into a draft knowledge article for a CMS.
You receive JSON: the page's URL, a first extraction (title, description, slug, language, Markdown
content, template fields), the doc templates the project has with their fields, and the editor's
instructions. Improve the extraction and answer with ONE JSON object and nothing else, with these keys:
  "title": string, at most 300 characters, without the site's name
  "description": string, one or two sentences, at most 160 characters
  "slug": lowercase segments of a-z, 0-9 and '-' joined by '/', e.g. "guides/reset-password"
  "language": BCP-47 tag of the page's language, e.g. "en" or "es-MX"
  "content": the main content as Markdown: keep every fact, heading, list, table, code block and link
             of the first extraction; remove what is navigation, advertising or boilerplate; do not
             repeat the title as a heading; do not invent anything
  "doc_template_id": one of the template ids given
  "fields": an object with that template's fields, using the field names and types given; leave out a
            field you cannot fill from the page
Follow the editor's instructions when they are given."""


class ExtractionInput(BaseModel):
    """Everything an extractor gets: the capture and what the project knows."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    url: str
    html: str
    title: str | None = None
    template_id: str | None = None
    instructions: str | None = None
    templates: list[Any] | None = Field(default=None, description="Doc templates (dicts or views).")
    locales: list[str] | None = None
    taken_slugs: Any = Field(default_factory=frozenset, description="A container of the project's slugs.")
    max_bytes: int = MAX_HTML_BYTES


class Extractor(Protocol):
    name: str

    async def extract(self, data: ExtractionInput) -> ProposedDraft: ...


class DefaultExtractor:
    """trafilatura + extruct, in a worker thread (an extraction is CPU work: tens of milliseconds)."""

    name = "default"

    async def extract(self, data: ExtractionInput) -> ProposedDraft:
        return await asyncio.to_thread(
            extract_page,
            data.url,
            data.html,
            data.title,
            templates=data.templates,
            template_id=data.template_id,
            locales=data.locales,
            taken_slugs=data.taken_slugs,
            max_bytes=data.max_bytes,
        )


class LLMAnswer(BaseModel):
    """The JSON object the model must answer; every key optional, unknown keys ignored."""

    model_config = ConfigDict(extra="ignore")

    title: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=1000)
    slug: str | None = None
    language: str | None = None
    content: str | None = Field(default=None, min_length=1)
    doc_template_id: str | None = None
    fields: dict[str, Any] | None = None


@dataclass
class ChatCompletionsExtractor:
    url: str  # the full endpoint, e.g. https://api.example.com/v1/chat/completions
    model: str
    key: str | None = None
    timeout_seconds: float = 60.0
    max_content_chars: int = 60_000
    default: DefaultExtractor = field(default_factory=DefaultExtractor)
    name: str = "llm"

    async def extract(self, data: ExtractionInput) -> ProposedDraft:
        base = await self.default.extract(data)  # refusals (not HTML, empty, too large) stand as they are
        try:
            answer = await self._ask(self._request(data, base))
            return self._merge(base, answer, data)
        except _Unusable as problem:
            reason = str(problem)
        except httpx.TimeoutException:
            reason = f"it did not answer within {self.timeout_seconds:g} s"
        except httpx.HTTPError as error:
            reason = f"the request failed ({type(error).__name__})"
        log.warning("LLM extractor fell back to the default extraction for %s: %s", data.url, reason)
        base.notes.append(f"The LLM extractor's answer was not used ({reason}); this is the default extraction.")
        return base

    def _request(self, data: ExtractionInput, base: ProposedDraft) -> dict[str, Any]:
        templates = [
            {"id": t.id, "schema_org_type": t.schema_org_type,
             "fields": [{k: f.get(k) for k in ("name", "type", "required", "instructions")} for f in t.fields]}
            for t in template_infos(data.templates)
        ]
        page = {
            "url": base.metadata.source_url,
            "captured_title": base.metadata.captured_title,
            "first_extraction": {
                "title": base.title,
                "description": base.description,
                "slug": base.slug,
                "language": base.language,
                "doc_template_id": base.doc_template_id,
                "fields": base.fields,
                "content": base.content[: self.max_content_chars],
            },
            "templates": templates,
            "allowed_languages": data.locales or None,
            "instructions": data.instructions or "",
        }
        return {
            "model": self.model,
            "temperature": 0,
            "response_format": {"type": "json_object"},
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": json.dumps(page, ensure_ascii=False)},
            ],
        }

    async def _ask(self, body: dict[str, Any]) -> LLMAnswer:
        headers = {"authorization": f"Bearer {self.key}"} if self.key else {}
        async with httpx.AsyncClient(timeout=self.timeout_seconds) as client:
            response = await client.post(self.url, json=body, headers=headers)
        if response.status_code != 200:
            raise _Unusable(f"the endpoint answered HTTP {response.status_code}")
        try:
            message = response.json()["choices"][0]["message"]
            text = message["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise _Unusable("the response is not a chat completion (no choices[0].message.content)") from None
        if not isinstance(text, str) or not text.strip():
            refusal = message.get("refusal") if isinstance(message, dict) else None
            raise _Unusable(f"the model refused: {refusal}" if refusal else "the model's message is empty")
        try:
            return LLMAnswer.model_validate(json.loads(_unfenced(text)))
        except ValueError as error:  # json.JSONDecodeError and pydantic's ValidationError are ValueErrors
            raise _Unusable(_why(error)) from None

    def _merge(self, base: ProposedDraft, answer: LLMAnswer, data: ExtractionInput) -> ProposedDraft:
        update: dict[str, Any] = {k: v for k, v in answer.model_dump().items() if v is not None}
        templates = {t.id: t for t in template_infos(data.templates)}
        template_id = update.get("doc_template_id", base.doc_template_id)
        if data.template_id and template_id != data.template_id:
            template_id = update["doc_template_id"] = data.template_id  # the caller's choice stands
        if template_id not in templates:
            raise _Unusable(f"it chose the unknown template {template_id!r}")
        if "slug" in update:
            update["slug"] = _checked_slug(update["slug"], data.taken_slugs)
        if "language" in update:
            update["language"] = _checked_language(update["language"], data.locales)
        if "fields" in update or template_id != base.doc_template_id:
            fields = update.get("fields", {})
            known = {f["name"] for f in templates[template_id].fields}
            unknown = sorted(set(fields) - known)
            if unknown:
                raise _Unusable(f"it filled fields the template {template_id!r} does not have: {', '.join(unknown)}")
            try:
                check_metadata_types(templates[template_id].fields, fields)
            except InvalidInput as error:
                raise _Unusable(error.message) from None
            update["fields"] = fields
            update["field_sources"] = dict.fromkeys(fields, "llm")
        if "content" in update:
            update["content"] = without_title(tidy_markdown(update["content"]), update.get("title", base.title))
        notes = [*base.notes, f"Extracted by the LLM extractor ({self.model})."]
        return base.model_copy(update={**update, "extractor": "llm", "notes": notes})


class _Unusable(Exception):
    """The model's answer can't be used; the message says why, for the note."""


def _unfenced(text: str) -> str:
    # Models asked for JSON sometimes wrap it in a ```json fence anyway.
    match = re.fullmatch(r"\s*```(?:json)?\s*(.*?)\s*```\s*", text, re.DOTALL)
    return match.group(1) if match else text


def _why(error: ValueError) -> str:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "answer"
        return f"its JSON has a bad {where}: {first['msg']}"
    return "its answer is not JSON"


def _checked_slug(slug: str, taken: Container[str]) -> str:
    try:
        return free_slug(slug, taken)
    except InvalidInput:
        raise _Unusable(f"its slug {slug[:80]!r} is not a valid slug") from None


def _checked_language(language: str, locales: Sequence[str] | None) -> str:
    tag = canonical_tag(language)
    if tag is None or (locales and tag not in locales):
        allowed = f" (the project has {', '.join(locales)})" if locales else ""
        raise _Unusable(f"its language {language[:20]!r} is not usable{allowed}")
    return tag
