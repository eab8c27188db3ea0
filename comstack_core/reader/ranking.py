"""Ranking a reader's query over one locale's postings, as the site's own search reads the same index.

A query's words are turned into terms exactly as the index's were (``site.search.terms_of``). A term
matches the index's equal term fully and, from three letters on, the index's terms it begins (so
"instal" finds "install", "installation") at half weight. A page scores by where each word occurs:
the title above the description and introduction, above a heading's section. Pages that hold every
word come first; when no page holds them all, pages holding the most of them are shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..site.search import terms_of
from .build import Doc, LocaleIndex

TITLE, INTRO, SECTION, SPREAD = 10.0, 3.0, 2.0, 2.5  # "*": in more sections than listed
PREFIX_WEIGHT = 0.5
MIN_PREFIX = 3
MAX_PREFIX_TERMS = 50  # a short prefix ("co") must not make one query decode half the index

_ENTRY = re.compile(r"([0-9a-f]+)((?:\.[0-9a-f]+)*)(\*?)")


@dataclass
class Match:
    doc: Doc
    score: float
    words: int  # how many of the query's words the page holds
    section: int | None  # the heading section (0-based) most of the words fall in, if any


def decode(postings: str) -> list[tuple[int, tuple[int, ...], bool]]:
    """[(document, sections, in more sections than listed)] of one term's postings."""
    out = []
    doc = -1
    for item in postings.split(","):
        m = _ENTRY.fullmatch(item)
        if m is None:
            continue
        step = int(m.group(1), 16)
        doc = step if doc < 0 else doc + step
        sections = tuple(int(s, 16) for s in m.group(2).split(".")[1:])
        out.append((doc, sections, bool(m.group(3))))
    return out


def _weight(sections: tuple[int, ...], spread: bool) -> float:
    score = 0.0
    for s in sections:
        score += TITLE if s == 0 else INTRO if s == 1 else SECTION
    return score + (SPREAD if spread else 0.0)


def rank(index: LocaleIndex, query: str, limit: int) -> list[Match]:
    words = list(dict.fromkeys(terms_of(query)))
    if not words:
        return []
    scores: dict[int, float] = {}
    held: dict[int, int] = {}
    places: dict[int, dict[int, int]] = {}
    for word in words:
        best: dict[int, tuple[float, tuple[int, ...]]] = {}
        candidates = [(word, 1.0)] if word in index.postings else []
        if len(word) >= MIN_PREFIX:
            longer = [t for t in index.matching(word) if t != word][:MAX_PREFIX_TERMS]
            candidates += [(t, PREFIX_WEIGHT) for t in longer]
        for term, factor in candidates:
            for doc, sections, spread in decode(index.postings[term]):
                value = factor * _weight(sections, spread)
                if doc not in best or value > best[doc][0]:
                    best[doc] = (value, sections)
        for doc, (value, sections) in best.items():
            scores[doc] = scores.get(doc, 0.0) + value
            held[doc] = held.get(doc, 0) + 1
            where = places.setdefault(doc, {})
            for s in sections:
                if s >= 2:
                    where[s - 2] = where.get(s - 2, 0) + 1
    if not scores:
        return []
    most = max(held.values())
    ranked = sorted((d for d in scores if held[d] == most), key=lambda d: (-scores[d], d))
    out = []
    for doc in ranked[:limit]:
        where = places.get(doc) or {}
        section = min(where, key=lambda s: (-where[s], s)) if where else None
        out.append(Match(index.docs[doc], scores[doc], most, section))
    return out
