"""The client-side search index: sharded so that a search downloads a little of it, whatever the site's size.

Per locale, three kinds of files (a search loads the first, then only the shards its words need):

    search/<locale>.json            the list of shards: [{"u": path, "k": key, "x": 1?}, ..., {"u": first doc
                                    shard, "n": documents, "p": documents per shard}]
    search/<locale>/t-<hex>.json    term shards: {term: postings}, every term starting with the shard's key
                                    (hex of its UTF-8 bytes); "x" marks a key that holds only the term
                                    equal to it (its longer terms live in longer keys)
    search/<locale>/d-<n>.json      document shards: [[title, site path, summary, [[heading id, text]]], ...]

A term's postings are comma-separated entries, one per document in document order: the document number
(the first) or its distance from the previous one, in hex, then the sections the term occurs in: ".0" the
title, ".1" the description and the text before the first heading, ".<2+k>" the k-th heading's section;
"*" after them means "in more sections than listed" (a word found all over a page names no heading).

Shard keys are prefixes of terms, as short as the size limit allows: a key whose terms would exceed it
is split into longer keys. The split depends only on the index's content, so an incremental build and a
full build of the same pages give the same files.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

SHARD_BYTES = 20_000  # a term shard stays under this unless a single term is larger
DOCS_PER_SHARD = 16
MAX_KEY = 8  # prefixes longer than this are not split further
MIN_TERM, MAX_TERM = 2, 32
MAX_TERMS = 3000  # per page: a giant generated page must not dominate the index
LISTED_SECTIONS = 3  # sections listed per term and page before "*"

_WORD = re.compile(r"[^\W_]+")


# The combining diacritics NFKD splits off Latin, Greek and Cyrillic letters ("é" -> "e" + U+0301). The site
# script removes the same ranges from a query; other marks end a word on both sides.
_ACCENTS = dict.fromkeys(
    cp
    for lo, hi in ((0x300, 0x370), (0x1AB0, 0x1B00), (0x1DC0, 0x1E00), (0x20D0, 0x2100), (0xFE20, 0xFE30))
    for cp in range(lo, hi)
)


def terms_of(text: str) -> list[str]:
    """Search terms of a text: lower case, accents removed, runs of letters and digits. The site script
    does the same to the reader's query (toLowerCase, NFKD, the same accents, [\\p{L}\\p{N}]+)."""
    text = text.lower()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).translate(_ACCENTS)
    return [w for w in _WORD.findall(text) if MIN_TERM <= len(w) <= MAX_TERM]


def page_terms(title: str, description: str, sections: list[str]) -> str:
    """One page's terms and their sections: "term term...\\tcode code..." (codes as in the postings).

    `sections`: the text before the first heading, then each heading's section (markdown.Rendered)."""
    where: dict[str, set[int]] = {}
    parts = [
        (0, title),
        (1, description),
        *((1 if n == 0 else n + 1, text) for n, text in enumerate(sections)),
    ]
    for section, text in parts:
        for term in terms_of(text):
            found = where.get(term)
            if found is None:
                if len(where) >= MAX_TERMS:
                    continue
                found = where[term] = set()
            found.add(section)
    if not where:
        return ""
    terms = sorted(where)
    return " ".join(terms) + "\t" + " ".join(_code(where[t]) for t in terms)


def _code(sections: set[int]) -> str:
    rest = sorted(sections - {0})
    head = ".0" if 0 in sections else ""
    if len(rest) > LISTED_SECTIONS:
        return head + "*"
    return head + "".join(f".{s:x}" for s in rest)


def _pairs(terms: str) -> Iterable[tuple[str, str]]:
    if not terms:
        return ()
    words, codes = terms.split("\t")
    return zip(words.split(" "), codes.split(" "), strict=True)


def _encode(entries: list[tuple[int, str]]) -> str:
    out, prev = [], -1
    for doc, code in entries:
        out.append(f"{doc if prev < 0 else doc - prev:x}{code}")
        prev = doc
    return ",".join(out)


_ENTRY = re.compile(r"([0-9a-f]+)(.*)")


def _decode(postings: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    doc = -1
    for item in postings.split(","):
        m = _ENTRY.fullmatch(item)
        assert m is not None
        step = int(m.group(1), 16)
        doc = step if doc < 0 else doc + step
        out.append((doc, m.group(2)))
    return out


def _size(term: str, postings: str | None) -> int:
    # What the term adds to its shard's JSON: "term":"postings", (ASCII in practice; close enough otherwise).
    return 0 if postings is None else len(term) + len(postings) + 6


@dataclass
class TermIndex:
    """One locale's postings, and how they are cut into shards."""

    postings: dict[str, str] = field(default_factory=dict)  # term -> encoded postings
    sizes: dict[str, int] = field(default_factory=dict)  # prefix (up to MAX_KEY) -> bytes of its terms
    key_of: dict[str, str] = field(default_factory=dict)  # term -> shard key
    shards: dict[str, list[str]] = field(default_factory=dict)  # shard key -> its terms, sorted

    @classmethod
    def of(cls, docs: list[str]) -> TermIndex:
        """From every document's page_terms, in document order."""
        lists: dict[str, list[str]] = {}
        last: dict[str, int] = {}
        for n, terms in enumerate(docs):
            for term, code in _pairs(terms):
                prev = last.get(term)
                lists.setdefault(term, []).append(f"{n if prev is None else n - prev:x}{code}")
                last[term] = n
        index = cls({t: ",".join(items) for t, items in lists.items()})
        for term, postings in index.postings.items():
            index._grow(term, _size(term, postings))
        index._cut()
        return index

    def _grow(self, term: str, by: int) -> None:
        sizes = self.sizes
        for n in range(min(len(term), MAX_KEY) + 1):
            p = term[:n]
            sizes[p] = sizes.get(p, 0) + by

    def _key(self, term: str) -> str:
        sizes = self.sizes
        for n in range(min(len(term), MAX_KEY) + 1):
            if sizes[term[:n]] <= SHARD_BYTES:
                return term[:n]
        return term[:MAX_KEY]

    def _cut(self) -> None:
        self.key_of = {t: self._key(t) for t in self.postings}
        shards: dict[str, list[str]] = {}
        for term in sorted(self.postings):
            shards.setdefault(self.key_of[term], []).append(term)
        self.shards = shards

    def exact_only(self, key: str) -> bool:
        """A key that was split: it holds only the term equal to it."""
        return len(key) < MAX_KEY and self.sizes.get(key, 0) > SHARD_BYTES

    def updated(self, changes: dict[int, tuple[str, str]]) -> tuple[TermIndex, set[str]]:
        """A copy with these documents' terms replaced (doc -> (old page_terms, new page_terms)), and the
        shard keys whose content differs from this index's. This index is left as it was: the build that
        made it may be the starting point of another build."""
        moves: dict[str, dict[int, str | None]] = {}
        for doc, (old, new) in changes.items():
            before, after = dict(_pairs(old)), dict(_pairs(new))
            for term in before.keys() | after.keys():
                if before.get(term) != after.get(term):
                    moves.setdefault(term, {})[doc] = after.get(term)
        if not moves:
            return self, set()
        out = TermIndex(dict(self.postings), dict(self.sizes), self.key_of, self.shards)
        flipped = False
        for term, docs in moves.items():
            was = out.postings.get(term)
            entries = dict(_decode(was)) if was else {}
            for doc, code in docs.items():
                if code is None:
                    entries.pop(doc, None)
                else:
                    entries[doc] = code
            now = _encode(sorted(entries.items())) if entries else None
            if now is None:
                del out.postings[term]
            else:
                out.postings[term] = now
            delta = _size(term, now) - _size(term, was)
            for n in range(min(len(term), MAX_KEY) + 1):
                p = term[:n]
                before_size = out.sizes.get(p, 0)
                out.sizes[p] = before_size + delta
                if (before_size <= SHARD_BYTES) != (before_size + delta <= SHARD_BYTES):
                    flipped = True
        if flipped:  # some prefix crossed the limit: the cut moves, recompute it
            out._cut()
            dirty = {k for k, terms in out.shards.items() if self.shards.get(k) != terms}
            dirty |= {self.key_of[t] for t in moves if t in self.key_of}
            dirty |= {out.key_of[t] for t in moves if t in out.key_of}
            return out, dirty | (set(self.shards) - set(out.shards))
        out.key_of = dict(self.key_of)
        out.shards = dict(self.shards)
        dirty = set()
        for term in moves:
            key = out.key_of[term] if term in out.key_of else out._key(term)
            dirty.add(key)
            present = term in out.postings
            if present and term not in out.key_of:
                out.key_of[term] = key
                out.shards[key] = sorted([*out.shards.get(key, []), term])
            elif not present and term in out.key_of:
                del out.key_of[term]
                rest = [t for t in out.shards[key] if t != term]
                if rest:
                    out.shards[key] = rest
                else:
                    del out.shards[key]
        return out, dirty

    def shard_json(self, key: str) -> bytes:
        body = {t: self.postings[t] for t in self.shards[key]}
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def shard_name(locale: str, key: str) -> str:
    return f"search/{locale}/t-{key.encode().hex()}.json" if key else f"search/{locale}/t.json"


def doc_shard_name(locale: str, n: int) -> str:
    return f"search/{locale}/d-{n}.json"


def doc_row(title: str, path: str, summary: str, toc: list[tuple[int, str, str]]) -> str:
    row = [title, path, summary, [[anchor, text] for _level, anchor, text in toc]]
    return json.dumps(row, ensure_ascii=False, separators=(",", ":"))


def meta_json(locale: str, index: TermIndex, docs: int) -> bytes:
    rows: list[dict[str, object]] = []
    for key in sorted(index.shards):
        row: dict[str, object] = {"u": shard_name(locale, key), "k": key}
        if index.exact_only(key):
            row["x"] = 1
        rows.append(row)
    if docs:
        rows.append({"u": doc_shard_name(locale, 0), "n": docs, "p": DOCS_PER_SHARD})
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode()


def doc_shards(locale: str, rows: list[str], only: set[int] | None = None) -> dict[str, bytes]:
    """Document shard files: the shards numbered in `only`, or all."""
    out = {}
    for n in range((len(rows) + DOCS_PER_SHARD - 1) // DOCS_PER_SHARD):
        if only is None or n in only:
            part = rows[n * DOCS_PER_SHARD : (n + 1) * DOCS_PER_SHARD]
            out[doc_shard_name(locale, n)] = ("[" + ",".join(part) + "]").encode()
    return out
