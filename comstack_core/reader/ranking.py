"""Ranking a reader's query over one locale's postings, as the site's own search reads the same index.

A query's words are turned into terms exactly as the index's were (``site.search.terms_of``). A term
matches the index's equal term fully and, from three letters on, the index's terms it begins (so
"instal" finds "install", "installation") at half weight. A page scores by where each word occurs:
the title above the description and introduction, above a heading's section. Pages that hold every
word come first; when no page holds them all, pages holding the most of them are shown.
"""

from __future__ import annotations

import heapq
import re
from array import array
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass

from ..site.search import read_postings, terms_of
from .build import Doc, LocaleIndex

TITLE, INTRO, SECTION, SPREAD = 10.0, 3.0, 2.0, 2.5  # "*": in more sections than listed
PREFIX_WEIGHT = 0.5
MIN_PREFIX = 3
MAX_PREFIX_TERMS = 50  # a short prefix ("co") must not make one query decode half the index

_PLAIN_ENTRY = re.compile(r"([0-9a-f]+)((?:\.[0-9a-f]+)*)(\*?)")


@dataclass
class Match:
    doc: Doc
    score: float
    words: int  # how many of the query's words the page holds
    section: int | None  # the heading section (0-based) most of the words fall in, if any


class Postings:
    """One term's postings, decoded once: documents, their weight for the term, and the first heading
    section the term is in (-1: none). Kept per build, bounded by entries (``DecodedCache``)."""

    __slots__ = ("docs", "heads", "weights")

    def __init__(self, encoded: str, plain: bool = False) -> None:
        self.docs, self.weights, self.heads = array("I"), array("f"), array("h")
        for doc, sections, spread in _read_plain(encoded) if plain else read_postings(encoded):
            self.docs.append(doc)
            self.weights.append(_weight(sections, spread))
            self.heads.append(next((x - 2 for x in sections if x >= 2), -1))

    def __len__(self) -> int:
        return len(self.docs)


class DecodedCache:
    """Decoded postings of one locale's index, least recently used first out, at most ``limit`` entries in
    all (a few bytes each): common words are decoded once, not on every search."""

    def __init__(self, index: LocaleIndex, limit: int = 2_000_000) -> None:
        self.index, self.limit, self.size = index, limit, 0
        self.terms: OrderedDict[str, Postings] = OrderedDict()

    def get(self, term: str) -> Postings:
        found = self.terms.get(term)
        if found is not None:
            self.terms.move_to_end(term)
            return found
        found = Postings(self.index.postings[term], self.index.plain)
        self.terms[term] = found
        self.size += len(found)
        while self.size > self.limit and len(self.terms) > 1:
            _, dropped = self.terms.popitem(last=False)
            self.size -= len(dropped)
        return found


def _read_plain(encoded: str) -> Iterator[tuple[int, list[int], bool]]:
    """Postings in the earlier format (LocaleIndex.plain): "<doc or step>[.<section>...][*]", comma-separated."""
    doc = -1
    for item in encoded.split(","):
        m = _PLAIN_ENTRY.fullmatch(item)
        if m is None:
            continue
        step = int(m.group(1), 16)
        doc = step if doc < 0 else doc + step
        yield doc, [int(x, 16) for x in m.group(2).split(".")[1:]], bool(m.group(3))


def _weight(sections: list[int], spread: bool) -> float:
    score = 0.0
    for s in sections:
        score += TITLE if s == 0 else INTRO if s == 1 else SECTION
    return score + (SPREAD if spread else 0.0)


def rank(index: LocaleIndex, query: str, limit: int) -> list[Match]:
    words = list(dict.fromkeys(terms_of(query)))
    if not words:
        return []
    if index.decoded is None:
        index.decoded = DecodedCache(index)
    cache: DecodedCache = index.decoded
    scores: dict[int, float] = {}
    held: dict[int, int] = {}
    places: dict[int, dict[int, int]] = {}
    for word in words:
        best: dict[int, tuple[float, int]] = {}
        candidates = [(word, 1.0)] if word in index.postings else []
        if len(word) >= MIN_PREFIX:
            longer = [t for t in index.matching(word) if t != word][:MAX_PREFIX_TERMS]
            candidates += [(t, PREFIX_WEIGHT) for t in longer]
        for term, factor in candidates:
            postings = cache.get(term)
            for doc, weight, head in zip(postings.docs, postings.weights, postings.heads, strict=True):
                value = factor * weight
                was = best.get(doc)
                if was is None or value > was[0]:
                    best[doc] = (value, head)
        for doc, (value, head) in best.items():
            scores[doc] = scores.get(doc, 0.0) + value
            held[doc] = held.get(doc, 0) + 1
            if head >= 0:
                where = places.setdefault(doc, {})
                where[head] = where.get(head, 0) + 1
    if not scores:
        return []
    most = max(held.values())
    top = heapq.nsmallest(limit, (d for d in scores if held[d] == most), key=lambda d: (-scores[d], d))
    out = []
    for doc in top:
        where = places.get(doc) or {}
        section = min(where, key=lambda s: (-where[s], s)) if where else None
        out.append(Match(index.docs[doc], scores[doc], most, section))
    return out
