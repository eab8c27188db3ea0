"""A captured page -> a proposed draft, with no I/O: everything the project knows comes in as arguments."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import trafilatura

from .clean import cleaned_copy
from .content import main_content
from .document import MAX_HTML_BYTES, check_html, parse_page
from .draft import CaptureRequest, ImageRef, ProposedDraft, SourceMetadata, TemplateSuggestion
from .fields import choose_template, plain, template_infos
from .language import LanguageSource, guess_language, project_language
from .slugs import free_slug, suggest_slug
from .structured import read_structured_data
from .urls import check_page_url, normalize_url, without_credentials

DESCRIPTION_CHARS = 160
TITLE_CHARS = 300
_SEPARATORS = "|-–—·:»/•"


@dataclass
class PreparedCapture:
    """What a capture stores: checked, with the key it is deduplicated by."""

    url: str
    normalized_url: str
    canonical_url: str | None  # <link rel="canonical">, absolute
    title: str | None
    html: str
    html_sha256: str
    html_bytes: int


def prepare_capture(
    request: CaptureRequest, *, max_bytes: int = MAX_HTML_BYTES, check_content: bool = True
) -> PreparedCapture:
    """Refuses what extraction would refuse (bad URL, too large, not HTML, and with ``check_content``
    no main content) so that nothing is stored for a page that cannot become a draft."""
    url = without_credentials(check_page_url(request.url))
    html = check_html(request.html, max_bytes)
    document = parse_page(url, html, max_bytes)
    if check_content:
        main_content(cleaned_copy(document.tree), document.url)
    data = html.encode("utf-8", errors="surrogatepass")
    title = " ".join((request.title or "").split()) or None
    return PreparedCapture(
        url, normalize_url(url), document.canonical_url, title, html, hashlib.sha256(data).hexdigest(), len(data)
    )


def extract_page(
    url: str,
    html: str,
    title: str | None = None,
    *,
    templates: Iterable[Mapping[str, Any] | Any] | None = None,
    template_id: str | None = None,
    locales: Sequence[str] | None = None,
    taken_slugs: Container[str] = frozenset(),
    max_bytes: int = MAX_HTML_BYTES,
) -> ProposedDraft:
    """The proposed draft for a captured page.

    ``templates``: the project's doc templates (dicts or ``DocTemplateView``; default: the built-in
    ones). ``template_id``: fill this template instead of the suggested one. ``locales``: the project's
    locales, default first (the proposed language is then one of them). ``taken_slugs``: every slug the
    project already uses (the proposed slug avoids them).
    """
    document = parse_page(url, html, max_bytes)
    structured = read_structured_data(document.tree, document.base_url)
    cleaned = cleaned_copy(document.tree)
    content = main_content(cleaned, document.url)
    meta = trafilatura.extract_metadata(cleaned, default_url=document.url, extensive=False)
    notes = list(structured.notes)

    og = structured.open_graph
    declared: list[tuple[LanguageSource, str | None]] = [
        ("html_lang", document.lang),
        ("content_language", document.content_language),
        ("og_locale", _first(og.get("og:locale"))),
    ]
    guess = guess_language(declared, content.text)
    language: str | None = guess.tag
    source: LanguageSource | None = guess.source
    if locales:
        language, source, language_notes = project_language(guess, list(locales))
    else:
        language_notes = guess.notes
    notes.extend(language_notes)

    page_headings = [" ".join(h.text_content().split()) for h in cleaned.iter("h1")]
    proposed_title = _title(
        [meta.title, title, document.head_title], content.first_heading, [h for h in page_headings if h]
    )
    page_facts = {
        "author": meta.author,
        "datePublished": meta.date,
        "keywords": meta.tags or None,
    }
    suggested, filled = choose_template(
        structured.items, template_infos(templates), requested=template_id, page_facts=page_facts
    )
    images = [ImageRef(url=i.url, alt=i.alt, title=i.title, source="content") for i in content.images]
    og_image = _first(og.get("og:image"))
    og_image = urljoin(document.base_url, og_image) if og_image else None  # Open Graph URLs may be relative too
    if og_image and og_image.startswith(("http://", "https://")) and og_image not in {i.url for i in images}:
        images.append(ImageRef(url=og_image, alt=_first(og.get("og:image:alt")) or "", source="open_graph"))

    return ProposedDraft(
        title=proposed_title,
        description=_description(
            [document.meta_description, _first(og.get("og:description")), meta.description],
            content.text,
            proposed_title,
        ),
        slug=free_slug(suggest_slug(document.url, proposed_title), taken_slugs),
        language=language,
        language_source=source,
        content=content.without_title(proposed_title),
        doc_template_id=filled.template.id,
        fields=filled.fields,
        field_sources=filled.field_sources,
        suggested_template=TemplateSuggestion(id=suggested.template.id, reason=suggested.reason),
        images=images,
        metadata=SourceMetadata(
            source_url=document.url,
            normalized_url=normalize_url(document.url),
            canonical_url=document.canonical_url,
            captured_title=title,
            head_title=document.head_title,
            site_name=meta.sitename,
            author=meta.author,
            published=meta.date,
            page_language=guess.tag,
            open_graph=og,
            json_ld_types=structured.json_ld_types,
            microdata_types=structured.microdata_types,
        ),
        notes=notes,
    )


def _first(value: str | list[str] | None) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return (value.strip() or None) if isinstance(value, str) else None


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    cut = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return cut.rstrip(" ,;:-") + "…"


def _title(candidates: list[str | None], content_heading: str | None, page_headings: list[str]) -> str:
    """The first declared title, or the page's heading inside it when the rest is a site name
    ('Installing the CLI | Northwind Docs' -> 'Installing the CLI'). The main content's own h1 is
    trusted; another h1 of the page (often the site's logo) only when it is the longer part."""
    for candidate in candidates:
        text = plain(candidate or "")
        if not text:
            continue
        for heading in [content_heading] if content_heading else []:
            if _title_part(text, heading) is not None:
                return _clip(heading, TITLE_CHARS)
        for heading in page_headings:
            rest = _title_part(text, heading)
            if rest is not None and len(rest) < len(heading):
                return _clip(heading, TITLE_CHARS)
        return _clip(text, TITLE_CHARS)
    return content_heading or (page_headings[0] if page_headings else "Imported page")


def _title_part(title: str, heading: str) -> str | None:
    """What is left of ``title`` around ``heading`` when a separator parts them, else None."""
    if not heading or heading == title or heading not in title:
        return None
    rest = title.replace(heading, "", 1).strip()
    if rest[:1] in _SEPARATORS or rest[-1:] in _SEPARATORS:
        return rest.strip(_SEPARATORS + " ")
    return None


def _description(declared: list[str | None], text: str, title: str) -> str:
    for candidate in declared:
        if candidate and candidate.strip():
            return _clip(plain(candidate), DESCRIPTION_CHARS)
    # None declared: the text's opening, minus a first line that repeats the title.
    lines = [line for line in text.split("\n") if line.strip()]
    if lines and lines[0].strip() == title.strip():
        lines = lines[1:]
    return _clip(re.sub(r"\s+", " ", " ".join(lines)), DESCRIPTION_CHARS)
