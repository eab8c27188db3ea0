"""The site script's search (assets/site.js, "-- search --"), in Python: which shards a query fetches, how
postings are read and how documents are ranked. Tests measure downloads with it where a browser would be
too slow, and check it against the browser where one is not."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from comstack_core.site.search import (
    CODES,
    DOCS_PER_SHARD,
    LISTED_SECTIONS,
    TermIndex,
    listed_keys,
    meta_json,
)

MAX_PAGES, MAX_RANGE = 8, 4  # as the script's constants

_ENTRY = re.compile(r"([0-9a-f]*)((?:\.[0-9a-f]+)*)([^0-9a-f.])")


def postings(text: str) -> list[tuple[int, frozenset[int], bool]]:
    """(document, sections listed, in more sections than listed) per entry, as the script's `postings`."""
    out = []
    doc = -1
    for m in _ENTRY.finditer(text):
        bits = CODES.index(m.group(3))
        doc += int(m.group(1), 16) if m.group(1) else 1
        every = bits & 31 == 31
        secs = {0} if bits & 32 else set()
        secs |= {s for s in range(1, 6) if not every and bits & (1 << (s - 1))}
        secs |= {int(s, 16) for s in m.group(2).split(".")[1:]}
        out.append((doc, frozenset(secs), every))
    return out


# -- the format before this one, the reference: comma-separated "<doc or step>[.0][.<hex>...][*]" --------


def old_code(sections: set[int]) -> str:
    rest = sorted(sections - {0})
    head = ".0" if 0 in sections else ""
    return head + "*" if len(rest) > LISTED_SECTIONS else head + "".join(f".{s:x}" for s in rest)


def old_postings(pages: list[dict[str, set[int]]]) -> dict[str, str]:
    """Every term's postings from each page's terms and the sections they occur in (0 the title...)."""
    lists: dict[str, list[str]] = {}
    last: dict[str, int] = {}
    for n, where in enumerate(pages):
        for term, sections in where.items():
            prev = last.get(term)
            lists.setdefault(term, []).append(f"{n if prev is None else n - prev:x}{old_code(sections)}")
            last[term] = n
    return {term: ",".join(items) for term, items in lists.items()}


def old_read(text: str) -> list[tuple[int, frozenset[int], bool]]:
    out, doc = [], -1
    for item in text.split(","):
        m = re.fullmatch(r"([0-9a-f]+)((?:\.[0-9a-f]+)*)(\*?)", item)
        assert m is not None, item
        step = int(m.group(1), 16)
        doc = step if doc < 0 else doc + step
        out.append((doc, frozenset(int(s, 16) for s in m.group(2).split(".")[1:]), m.group(3) == "*"))
    return out


# -- the script -------------------------------------------------------------------------------------------


def shards_for(keys: list[tuple[str, bool]], word: str) -> tuple[list[str], bool]:
    """The keys whose shards the script fetches for a word, and whether it matches the word as a prefix."""
    base, longer = [], []
    for key, exact in keys:
        if word[: len(key)] == key:
            if not exact or len(key) == len(word):
                base.append(key)
        elif key[: len(word)] == word:
            longer.append(key)
    prefix = len(longer) <= MAX_RANGE
    return (base + longer if prefix else base), prefix


@dataclass
class Hit:
    score: int = 0
    secs: set[int] = field(default_factory=set)
    every: bool = False


@dataclass
class Found:
    total: int
    top: list[tuple[int, int, list[int]]]  # (document, score, sections to narrow to), best first
    term_keys: set[str]  # the term shards fetched


Read = Callable[[str], list[tuple[int, frozenset[int], bool]]]


def find(
    terms: dict[str, str],
    keys: list[tuple[str, bool]],
    key_of: dict[str, str],
    words: list[str],
    read: Read = postings,
) -> Found:
    """The script's `find`: `terms` every term's postings (read with `read`), `key_of` its shard key."""
    by_key: dict[str, list[str]] = {}
    for term, key in key_of.items():
        by_key.setdefault(key, []).append(term)
    per_word, fetched = [], set()
    for word in words:
        wanted, prefix = shards_for(keys, word)
        fetched.update(wanted)
        hits: dict[int, Hit] = {}
        for key in wanted:
            for term in by_key.get(key, []):
                exact = term == word
                if not exact and not (prefix and term.startswith(word)):
                    continue
                for doc, secs, every in read(terms[term]):
                    score = (10 if 0 in secs else 0) + (4 if every else len(secs)) + (3 if exact else 0)
                    hit = hits.setdefault(doc, Hit())
                    hit.score = max(hit.score, score)
                    hit.every = hit.every or every
                    hit.secs |= secs
        per_word.append(hits)
    ranked = []
    for doc in per_word[0] if per_word else {}:
        if not all(doc in hits for hits in per_word):
            continue
        score, narrow = 0, None
        for hits in per_word:
            hit = hits[doc]
            score += hit.score
            if hit.every or 0 in hit.secs:
                continue
            narrow = sorted(hit.secs) if narrow is None else [s for s in narrow if s in hit.secs]
        ranked.append((doc, score, narrow or []))
    ranked.sort(key=lambda r: (-r[1], r[0]))
    return Found(len(ranked), ranked[:MAX_PAGES], fetched)


def download(index: TermIndex, docs: int, doc_shard_bytes: dict[int, int], words: list[str]) -> int:
    """Bytes a query downloads: the shard list, the term shards its words need and the document shards of
    the results shown (`doc_shard_bytes`: shard number -> size)."""
    listing = meta_json(index, docs)
    keys = listed_keys(json.loads(listing)["k"])
    found = find(index.postings, keys, index.key_of, words)
    shards = {doc // DOCS_PER_SHARD for doc, _score, _secs in found.top}
    return (
        len(listing)
        + sum(len(index.shard_json(key)) for key in found.term_keys)
        + sum(doc_shard_bytes[n] for n in shards)
    )
