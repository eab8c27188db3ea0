"""Sentence-level ranking over candidate pages, and the one to three sentences to speak.

Every page becomes units: its title, its description, and the sentences of its blocks (headings, prose,
list items, table rows). A unit scores the weight of the question's terms it says itself, half the weight
of those only its page title or section heading says (so "what can a viewer do" reaches a row under
"Roles and permissions"), and a quarter of those said elsewhere on its page. Weights are IDF over the
project's live pages of that language, so a word every page repeats (the product's name) counts little.

Whether to answer at all: ``coverage`` is the best unit's score over the weight of all the question's
terms, and must reach ``MIN_COVERAGE``. A term that no page contains still weighs (half as much as the
rarest word that some page has), and the question's terms matched by the unit must be at least as many
as those no page has: "how much does it cost per month" matches nothing but the product name, and gets
"I don't know" instead of the best page about something else.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .retrieval import LivePage
from .speakable import Block, html_blocks, markdown_blocks, sentence, split_sentences
from .words import lead_term, same_term, terms

UnitKind = Literal["title", "description", "heading", "text", "item", "row"]

CONTEXT_WEIGHT = 0.5  # a term in the unit's page title or section heading
PAGE_WEIGHT = 0.25  # a term elsewhere on the unit's page
LEAD_WEIGHT = 0.25  # bonus when the unit starts with a question term: it is about it ("Draft: the one…")
UNSEEN_FACTOR = 0.5  # weight of a term no page has, relative to a term only one page has
MIN_COVERAGE = 0.5
MAX_SENTENCES = 3
MAX_CHARS = 360
SHORT_WORDS = 8  # a sentence this short is followed by the next ones of its block (or list) when spoken


@dataclass(frozen=True)
class Unit:
    page: int  # index into the candidate list
    order: int  # position in the page
    block: int  # units of one block (or one list) share this number
    kind: UnitKind
    text: str
    terms: frozenset[str]
    context: frozenset[str]  # terms of the page title and the section heading
    lead: str = ""  # the stem of the unit's first content word


@dataclass(frozen=True)
class Scored:
    unit: Unit
    score: float
    coverage: float
    matched: int  # question terms found in the unit, its context or its page


def page_units(index: int, page: LivePage, language: str) -> list[Unit]:
    title_terms = terms(page.title, language)
    title = sentence(page.title)
    units = [Unit(index, 0, 0, "title", title, title_terms, frozenset(), lead_term(title, language))]
    if page.description.strip():
        text = sentence(page.description)
        units.append(
            Unit(index, 1, 1, "description", text, terms(text, language), title_terms, lead_term(text, language))
        )
    blocks: list[Block] = html_blocks(page.body_source) if page.body_source else markdown_blocks(page.content)
    seen = {page.title.strip().casefold()}
    group, previous_kind = 1, ""
    for block in blocks:
        # The body often repeats the title as its first heading; say it once.
        if block.kind == "heading" and block.text.strip().casefold() in seen:
            continue
        # Consecutive list items (or table rows) form one group: a short item is spoken with the next.
        if not (block.kind in ("item", "row") and block.kind == previous_kind):
            group += 1
        previous_kind = block.kind
        context = title_terms | terms(block.section, language)
        pieces = [block.text] if block.kind in ("heading", "row") else split_sentences(block.text)
        for piece in pieces:
            text = piece if block.kind == "heading" else sentence(piece)
            units.append(
                Unit(
                    index, len(units), group, block.kind, text, terms(text, language), context,
                    lead_term(text, language),
                )
            )
    return units


def idf(df: int, n: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def term_weights(counts: dict[str, int], n: int) -> dict[str, float]:
    """IDF per question term from page counts; a term no page has weighs ``UNSEEN_FACTOR`` of a term that
    only one page has (it may be the question's subject, or only its phrasing: "what happens if")."""
    n = max(n, 1)
    return {t: idf(df, n) if df else UNSEEN_FACTOR * idf(1, n) for t, df in counts.items()}


def _has(term: str, bag: frozenset[str]) -> bool:
    return term in bag or any(same_term(term, t) for t in bag)


def seen_on(pages_units: Sequence[Sequence[Unit]], counts: dict[str, int]) -> dict[str, int]:
    """Page counts raised to at least the number of candidate pages that say each term. The engines
    tokenize differently from us (PostgreSQL keeps "/openapi.json" whole), so a term our own reading
    finds on a page is never taken for one that no page has."""
    out = dict(counts)
    for term in counts:
        here = sum(1 for units in pages_units if any(_has(term, u.terms) for u in units))
        out[term] = max(out[term], here)
    return out


def rank(weights: dict[str, float], pages_units: Sequence[Sequence[Unit]]) -> list[Scored]:
    """Every unit that says at least one question term, best first; ties go to the better-ranked page.
    ``pages_units`` holds ``page_units`` of each candidate page, in the retrieval's order."""
    total = sum(weights.values())
    if not total:
        return []
    scored = []
    for units in pages_units:
        on_page = frozenset(t for u in units for t in u.terms)
        for unit in units:
            direct = [t for t in weights if _has(t, unit.terms)]
            if not direct:
                continue  # a unit must itself say something asked about, not only sit under a heading
            context = [t for t in weights if t not in direct and _has(t, unit.context)]
            elsewhere = [t for t in weights if t not in direct and t not in context and _has(t, on_page)]
            score = (
                sum(weights[t] for t in direct)
                + CONTEXT_WEIGHT * sum(weights[t] for t in context)
                + PAGE_WEIGHT * sum(weights[t] for t in elsewhere)
            )
            matched = len(direct) + len(context) + len(elsewhere)
            scored.append(Scored(unit, score + _lead_bonus(unit, direct, weights), score / total, matched))
    scored.sort(key=lambda s: (-s.score, s.unit.page, s.unit.order))
    return scored


def _lead_bonus(unit: Unit, direct: list[str], weights: dict[str, float]) -> float:
    """A definition starts with its subject ("Draft: the one pending edit…"); a bare list item ("Publish.")
    is no definition, so units of three words or fewer get no bonus. Ordering only: coverage ignores it."""
    if not unit.lead or len(unit.text.split()) <= 3:
        return 0.0
    return LEAD_WEIGHT * max((weights[t] for t in direct if same_term(t, unit.lead)), default=0.0)


def answers(best: Scored, counts: dict[str, int]) -> bool:
    unseen = sum(1 for df in counts.values() if not df)
    return best.coverage >= MIN_COVERAGE and best.matched >= unseen


def spoken(best: Unit, page_units_: Sequence[Unit]) -> list[str]:
    """The sentences to say for the best unit: a title or heading is answered by what follows it; a short
    sentence or list item is followed by the rest of its block, up to three sentences."""
    after = [u for u in page_units_ if u.order > best.order]
    if best.kind == "title":
        start = [u for u in page_units_ if u.kind == "description"] or [
            u for u in after if u.kind not in ("heading",)
        ][:1]
        return _extend(start[0], after) if start else [best.text]
    if best.kind == "heading":
        body = [u for u in after if u.kind != "heading"][:1]
        return _extend(body[0], after) if body else [best.text]
    return _extend(best, after)


def _extend(first: Unit, after: Sequence[Unit]) -> list[str]:
    said = [first.text]
    size = len(first.text)
    last = first
    for unit in after:
        if unit.order <= first.order:
            continue
        if len(said) >= MAX_SENTENCES or unit.block != first.block or unit.kind == "heading":
            break
        if len(last.text.split()) >= SHORT_WORDS and not last.text.endswith(":"):
            break
        if size + len(unit.text) > MAX_CHARS:
            break
        said.append(unit.text)
        size += len(unit.text) + 1
        last = unit
    return said
