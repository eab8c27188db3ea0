"""The answer finder: what a caller hears comes from here, and only from live public pages.

``LiveKnowledge(db, project, public_url)`` answers questions in the asked language, falling back to the
project's default locale, and reads pages aloud. It never invents: when no sentence covers enough of the
question it returns ``Answer(found=False)`` and the caller hears "I don't know" in their language.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Protocol

from ..db import Database
from ..models import Project
from ..publishing.build_input import page_url, site_url
from ..rules.locales import base_language, normalize_locale, project_locales
from . import passages, retrieval
from .speakable import sentence
from .words import content_words, term_words

MAX_PAGE_SENTENCES = 5
MAX_PAGE_CHARS = 600


@dataclass(frozen=True)
class Source:
    path: str
    slug: str
    language: str
    title: str
    url: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Answer:
    question: str
    found: bool
    text: str  # one to three sentences to speak; "" when nothing answers
    language: str  # the language of ``text`` (its page's), or the asked language when not found
    source: Source | None
    coverage: float = 0.0  # share of the question's weight the chosen sentence covers


@dataclass(frozen=True)
class SpokenPage:
    title: str
    text: str  # the page's opening sentences, speakable
    language: str
    source: Source


class Knowledge(Protocol):
    """What the voice tools and the phone line need from the knowledge; ``LiveKnowledge`` is the real one."""

    async def answer(self, question: str, language: str | None = None) -> Answer: ...

    async def page(self, handle: str, language: str | None = None) -> SpokenPage | None: ...


def answer_languages(project: Project, asked: str | None) -> list[str]:
    """The project locale that matches the asked language (exactly, else by base language), then the
    default locale. An asked language the project does not have falls back to the default alone."""
    locales = project_locales(project.default_locale, project.modules)
    order: list[str] = []
    if asked:
        tag = normalize_locale(asked)
        match = tag if tag in locales else next(
            (loc for loc in locales if base_language(loc) == base_language(tag)), None
        )
        if match:
            order.append(match)
    if project.default_locale not in order:
        order.append(project.default_locale)
    return order


def spoken_language(project: Project, asked: str | None) -> str:
    """The language to talk to the caller in: the asked one when the project has it, else the default."""
    return answer_languages(project, asked)[0]


class LiveKnowledge:
    def __init__(self, db: Database, project: Project, public_url: str, *, candidates: int = 6) -> None:
        self.db = db
        self.project = project
        self.base = site_url(public_url, project)
        self.candidates = candidates

    def _source(self, page: retrieval.LivePage) -> Source:
        return Source(
            path=page.page_id,
            slug=page.slug,
            language=page.language,
            title=page.title,
            url=page_url(self.base, self.project, page.slug, page.language),
        )

    async def answer(self, question: str, language: str | None = None) -> Answer:
        languages = answer_languages(self.project, language)
        asked = languages[0]
        # Drop the asked language's filler first (even when the project lacks that language): a page in
        # another language is searched with what is left (names, technical words), stemmed its own way.
        cleaned = " ".join(content_words(question, normalize_locale(language) if language else asked))
        coverage = 0.0
        async with self.db.read() as session:
            for lang in languages:
                groups = term_words(cleaned, lang)
                if not groups:
                    continue
                pages = await retrieval.candidates(session, self.project.id, groups, lang, limit=self.candidates)
                if not pages:
                    continue
                n, counts = await retrieval.page_counts(session, self.project.id, groups, lang)
                units = [passages.page_units(i, page, lang) for i, page in enumerate(pages)]
                counts = passages.seen_on(units, counts)
                ranked = passages.rank(passages.term_weights(counts, n), units)
                if not ranked:
                    continue
                top = ranked[0]
                if passages.answers(top, counts):
                    page = pages[top.unit.page]
                    said = passages.spoken(top.unit, units[top.unit.page])
                    return Answer(question, True, " ".join(said), page.language, self._source(page), top.coverage)
                coverage = max(coverage, top.coverage)
        return Answer(question, False, "", asked, None, coverage)

    async def page(self, handle: str, language: str | None = None) -> SpokenPage | None:
        """A live public page read aloud (its description and first sentences), by slug or path."""
        handle = handle.strip().strip("/")
        if not handle:
            return None
        languages = answer_languages(self.project, language)
        async with self.db.read() as session:
            found = await retrieval.live_page(session, self.project.id, handle, languages)
        if found is None:
            return None
        said: list[str] = []
        size = 0
        for unit in passages.page_units(0, found, found.language):
            if unit.kind in ("title", "heading"):
                continue
            if len(said) >= MAX_PAGE_SENTENCES or size + len(unit.text) > MAX_PAGE_CHARS:
                break
            said.append(unit.text)
            size += len(unit.text) + 1
        return SpokenPage(sentence(found.title), " ".join(said), found.language, self._source(found))
