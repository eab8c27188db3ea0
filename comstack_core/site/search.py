"""The client-side search index: sharded so that a search downloads a little of it, whatever the site's size.

Per locale, three kinds of files (a search loads the first, then only the shards its words need):

    search/<locale>.json            the list of shards: {"k": term shard keys, "n": documents,
                                    "p": documents per document shard}
    search/<locale>/t-<hex>.json    term shards: {term: postings}, every term starting with the shard's key
                                    (hex of its UTF-8 bytes; t.json for the empty key)
    search/<locale>/d-<n>.json      document shards: [[title, site path, summary, [[heading id, text]]], ...]

The list's keys are sorted and space-separated, each written as how many characters it shares with the
key before it (one digit) and the rest of it; "=" after a key marks one that holds only the term equal to
it (its longer terms live in longer keys). "0 1b= 2c 1d" is "", "b" (that term only), "bc" and "d". The
shards' names follow from the keys, so the list does not repeat them: it is fetched by every query.

A term's postings are one entry per document, in document order, with nothing between entries (the
common words' postings are a large part of what a query downloads). An entry is the document's distance
from the previous one (from -1 for the first) in hex, left out when it is 1, then where in the document
the term occurs: sections 0 the title, 1 the description and the text before the first heading, 2+k the
k-th heading's section. Its last character is a letter of CODES whose position holds bits: TITLE for
section 0, 1 << (s - 1) for sections s from 1 to LOW_SECTIONS, and ALL (every one of those bits) for "in
more sections than listed" (a word found all over a page names no heading). Listed sections above
LOW_SECTIONS come before the letter as ".<hex>". So "*3h.7i" is document 0 all over, document 3 in its
description or introduction, and document 4 in sections 2 and 7.

Shard keys are prefixes of terms, as short as the size limit allows: a key whose terms would exceed it
(SHARD_BYTES, in the size their postings would take written plainly) is split into longer keys. The split
depends only on the index's content, so an incremental build and a full build of the same pages give the
same files.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

# A key is split into longer keys when its terms' postings, written plainly (comma-separated, codes spelled
# out: the format before this one), would take more than this; a term shard takes well under it as written,
# unless it holds a single term. The plain measure keeps the split where that format put it, and
# the split decides what a prefix finds: the script widens a word to longer terms only when they are in at
# most MAX_RANGE longer keys. So the same pages give the same results, however densely postings are written.
SHARD_BYTES = 20_000
DOCS_PER_SHARD = 16
MAX_KEY = 8  # prefixes longer than this are not split further (at most 9: the list writes one digit)
MIN_TERM, MAX_TERM = 2, 32
MAX_TERMS = 3000  # per page: a giant generated page must not dominate the index
LISTED_SECTIONS = 3  # sections listed per term and page before "*"
# Sections 1 to LOW_SECTIONS are bits of a posting's code letter, later ones are written out. More than
# LISTED_SECTIONS of them are never listed, so ALL (every bit) is free to mean "in more than listed".
LOW_SECTIONS = 5
TITLE, ALL = 1 << LOW_SECTIONS, (1 << LOW_SECTIONS) - 1
# The code letters, by bits. None is a hex digit or ".", nor needs escaping in JSON: entries need no
# separator, and a posting's letters are its bytes. ALL alone is "*", as the old format wrote it.
CODES = "ghijklmnopqrstuvwxyzABCDEFGHIJK*LMNOPQRSTUVWXYZ!#$%&()+-:;<=>?@^"

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
    # Each term's sections as the bits of one int (section n is bit n): setting a bit and turning the
    # bits into a code cost half of what a set per term did, on every page a build renders.
    where: dict[str, int] = {}
    parts = [
        (0, title),
        (1, description),
        *((1 if n == 0 else n + 1, text) for n, text in enumerate(sections)),
    ]
    for section, text in parts:
        bit = 1 << section
        for term in terms_of(text):
            found = where.get(term)
            if found is None:
                if len(where) >= MAX_TERMS:
                    continue
                where[term] = bit
            else:
                where[term] = found | bit
    if not where:
        return ""
    terms = sorted(where)
    return " ".join(terms) + "\t" + " ".join([_code(where[t]) for t in terms])


def _code(sections: int) -> str:
    """The code of a term found in these sections (bit n: section n, 0 the title)."""
    title = TITLE if sections & 1 else 0
    rest = sections >> 1  # bit n - 1: section n
    if rest.bit_count() > LISTED_SECTIONS:
        return CODES[title | ALL]
    high, listed = rest >> LOW_SECTIONS, ""  # bit k: section LOW_SECTIONS + 1 + k, listed by number
    while high:
        lowest = high & -high
        listed += f".{lowest.bit_length() + LOW_SECTIONS:x}"
        high ^= lowest
    return listed + CODES[title | (rest & ALL)]


def _pairs(terms: str) -> Iterable[tuple[str, str]]:
    if not terms:
        return ()
    words, codes = terms.split("\t")
    return zip(words.split(" "), codes.split(" "), strict=True)


def _encode(entries: list[tuple[int, str]]) -> str:
    out, prev = [], -1
    for doc, code in entries:
        out.append(code if doc - prev == 1 else f"{doc - prev:x}{code}")
        prev = doc
    return "".join(out)


_ENTRY = re.compile(r"([0-9a-f]*)((?:\.[0-9a-f]+)*)(.)")


def _decode(postings: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    doc = -1
    for m in _ENTRY.finditer(postings):
        doc += int(m.group(1), 16) if m.group(1) else 1
        out.append((doc, m.group(2) + m.group(3)))
    return out


def _letter(bits: int) -> tuple[list[int], bool]:
    more = (bits & ALL) == ALL
    low = [] if more else [s for s in range(1, LOW_SECTIONS + 1) if bits >> (s - 1) & 1]
    return ([0] if bits & TITLE else []) + low, more


_LETTERS = {letter: _letter(bits) for bits, letter in enumerate(CODES)}  # sections, in more than those


def read_postings(postings: str) -> Iterator[tuple[int, list[int], bool]]:
    """Each entry's document, the sections listed (in order) and whether the term is in more than those."""
    doc = -1
    for m in _ENTRY.finditer(postings):
        listed, more = _LETTERS[m.group(3)]
        doc += int(m.group(1), 16) if m.group(1) else 1
        yield doc, listed + [int(s, 16) for s in m.group(2).split(".")[1:]], more


# What each code letter adds, written out plainly (".0" for the title, ".<s>" per listed section, "*"), to
# the letter's one character.
_PLAINER = {
    letter: (2 if bits & TITLE else 0) + (1 if (bits & ALL) == ALL else 2 * (bits & ALL).bit_count()) - 1
    for bits, letter in enumerate(CODES)
}


def _plain(entries: list[tuple[int, str]]) -> int:
    """The length of these postings written plainly: comma-separated "<doc or step in hex><code>", codes
    spelled out. Keys are split by that length (see SHARD_BYTES)."""
    out, prev = -1, -1
    for doc, code in entries:
        out += 1 + len(f"{doc if prev < 0 else doc - prev:x}") + len(code) + _PLAINER[code[-1]]
        prev = doc
    return out


def _size(term: str, plain: int | None) -> int:
    # What the term adds to its shard, as "term":"postings", (ASCII in practice; close enough otherwise).
    return 0 if plain is None else len(term) + plain + 6


@dataclass
class TermIndex:
    """One locale's postings, and how they are cut into shards."""

    postings: dict[str, str] = field(default_factory=dict)  # term -> encoded postings
    sizes: dict[str, int] = field(default_factory=dict)  # prefix (up to MAX_KEY) -> its terms' plain size
    key_of: dict[str, str] = field(default_factory=dict)  # term -> shard key
    shards: dict[str, list[str]] = field(default_factory=dict)  # shard key -> its terms, sorted

    @classmethod
    def of(cls, docs: list[str]) -> TermIndex:
        """From every document's page_terms, in document order."""
        lists: dict[str, list[str]] = {}
        plain: dict[str, int] = {}  # term -> its postings' length written plainly (_plain)
        last: dict[str, int] = {}
        for n, terms in enumerate(docs):
            for term, code in _pairs(terms):
                prev = last.get(term)
                last[term] = n
                wide = len(code) + _PLAINER[code[-1]]
                if prev is None:
                    lists[term] = [code if n == 0 else f"{n + 1:x}{code}"]
                    plain[term] = len(f"{n:x}") + wide
                elif n - prev == 1:
                    lists[term].append(code)
                    plain[term] += 2 + wide  # ",1<code>"
                else:
                    step = f"{n - prev:x}"
                    lists[term].append(step + code)
                    plain[term] += 1 + len(step) + wide
        index = cls({t: "".join(items) for t, items in lists.items()})
        for term, width in plain.items():
            index._grow(term, _size(term, width))
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
            old_entries = _decode(was) if was else []
            entries = dict(old_entries)
            for doc, code in docs.items():
                if code is None:
                    entries.pop(doc, None)
                else:
                    entries[doc] = code
            new_entries = sorted(entries.items())
            if new_entries:
                out.postings[term] = _encode(new_entries)
            else:
                del out.postings[term]
            delta = _size(term, _plain(new_entries) if new_entries else None)
            delta -= _size(term, _plain(old_entries) if old_entries else None)
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


def meta_json(index: TermIndex, docs: int) -> bytes:
    keys, prev = [], ""
    for key in sorted(index.shards):
        same = 0
        while same < min(len(key), len(prev)) and key[same] == prev[same]:
            same += 1
        keys.append(f"{same}{key[same:]}{'=' if index.exact_only(key) else ''}")
        prev = key
    body = {"k": " ".join(keys), "n": docs, "p": DOCS_PER_SHARD}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def listed_keys(listed: str) -> list[tuple[str, bool]]:
    """The shard list's "k" as (key, holds only the term equal to it), as the site script reads it."""
    out: list[tuple[str, bool]] = []
    prev = ""
    for item in listed.split(" ") if listed else []:
        exact = item.endswith("=")
        prev = prev[: int(item[0])] + item[1 : len(item) - exact]
        out.append((prev, exact))
    return out


def doc_shards(locale: str, rows: list[str], only: set[int] | None = None) -> dict[str, bytes]:
    """Document shard files: the shards numbered in `only`, or all."""
    out = {}
    for n in range((len(rows) + DOCS_PER_SHARD - 1) // DOCS_PER_SHARD):
        if only is None or n in only:
            part = rows[n * DOCS_PER_SHARD : (n + 1) * DOCS_PER_SHARD]
            out[doc_shard_name(locale, n)] = ("[" + ",".join(part) + "]").encode()
    return out
