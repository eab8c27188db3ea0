"""The search index's postings and shard list (search.py): they hold exactly what the earlier, plainer format
held (search_script has it, as the reference), the script reads them with the builder's code letters, and an
index patched page by page gives the files an index made from all pages gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comstack_core.site import search
from comstack_core.site.search import TermIndex, listed_keys, meta_json, page_terms, read_postings

from .search_script import old_postings, old_read, postings

Where = dict[str, set[int]]  # a page's terms -> the sections each is in (0 the title, 1 the description...)

# -- pages ------------------------------------------------------------------------------------------------

_WORDS = ["an", "the", "data", "date", "datum", "zeta", "x1", "ünïcode", "δέλτα", "longer" * 5]


def _terms(where: Where) -> str:
    """The page's page_terms, from texts that put each word in its sections."""
    top = max((s for sections in where.values() for s in sections), default=1)

    def text(section: int) -> str:
        return " ".join(w for w, sections in where.items() if section in sections)

    # Section 1 is the description and the text before the first heading: split its words between them.
    words = text(1).split(" ")
    description, intro = " ".join(words[::2]), " ".join(words[1::2])
    return page_terms(text(0), description, [intro, *(text(s) for s in range(2, top + 1))])


def _normal(where: Where) -> Where:  # as page_terms folds the words
    return {search.terms_of(w)[0]: s for w, s in where.items()}


_sections = st.sets(st.integers(0, 20) | st.integers(0, 6), min_size=1, max_size=8)
_page = st.dictionaries(st.sampled_from(_WORDS), _sections, max_size=6)
_pages = st.lists(_page | st.just({}), max_size=40)


@settings(max_examples=200, deadline=None)
@given(pages=_pages, before=st.sampled_from([0, 1, 15, 16, 300, 70_000]))
def test_postings_read_as_the_old_format_did(pages: list[Where], before: int) -> None:
    # Pages without terms first: long first steps.
    index = TermIndex.of([""] * before + [_terms(where) for where in pages])
    old = old_postings([{}] * before + [_normal(where) for where in pages])
    assert set(index.postings) == set(old)
    for term, text in index.postings.items():
        assert postings(text) == old_read(old[term]), term
        assert [(d, frozenset(s), m) for d, s, m in read_postings(text)] == old_read(old[term]), term
        assert "," not in text
    # Keys are split where the old format's sizes split them, so a prefix reaches the same terms.
    sizes: dict[str, int] = {}
    for term, text in old.items():
        for n in range(min(len(term), search.MAX_KEY) + 1):
            sizes[term[:n]] = sizes.get(term[:n], 0) + len(term) + len(text) + 6  # "term":"postings",
    assert index.sizes == sizes


def test_a_common_word_costs_a_byte_a_page() -> None:
    """In its title or not, all over each page or in up to three of its first five sections: one letter."""
    wheres = [{0, 1, 2, 3, 4}, {2}, {1, 2, 5}, {0, 3}, {0}, {1, 2, 3, 4, 5, 6, 7}]
    index = TermIndex.of([_terms({"word": set(wheres[n % len(wheres)])}) for n in range(600)])
    assert len(index.postings["word"]) == 600
    # A later section is written out; a gap is written as a step.
    index = TermIndex.of([_terms({"word": {9, 2}}), "", _terms({"word": {1}})])
    assert index.postings["word"] == ".9i2h"


def test_the_script_reads_the_builders_code_letters() -> None:
    script = (Path(search.__file__).parent / "assets" / "site.js").read_text()
    assert f'var CODES = "{search.CODES}";' in script
    assert len(set(search.CODES)) == len(search.CODES) == 2 * search.TITLE
    assert not set(search.CODES) & set('0123456789abcdef." \\\t')
    assert json.dumps(search.CODES) == f'"{search.CODES}"'  # nothing escaped in JSON
    assert (search.TITLE, search.ALL, search.LOW_SECTIONS) == (32, 31, 5)  # as the script has them
    assert search.LISTED_SECTIONS < search.LOW_SECTIONS


def test_the_shard_list_names_each_key() -> None:
    pages = [_terms({w: {1}}) for w in ["a" + "b" * n for n in range(12)] * 40]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(search, "SHARD_BYTES", 200)
        index = TermIndex.of(pages)
        listed = json.loads(meta_json(index, 7))
        exact = {k: index.exact_only(k) for k in index.shards}
    assert listed["n"] == 7 and listed["p"] == search.DOCS_PER_SHARD
    keys = listed_keys(listed["k"])
    assert keys == sorted(exact.items())
    assert any(exact for _, exact in keys) and any(not exact for _, exact in keys)
    assert listed_keys(json.loads(meta_json(TermIndex.of([]), 0))["k"]) == []


_edits = st.lists(st.tuples(st.integers(0, 29), _page), min_size=1, max_size=12)


@settings(max_examples=50, deadline=None)
@given(pages=st.lists(_page, min_size=30, max_size=30), edits=_edits, limit=st.sampled_from([40, 120, 400]))
def test_patched_index_equals_one_made_from_all_pages(pages: list[Where], edits: list, limit: int) -> None:
    """After each random edit (a page's terms replaced, emptied or filled) the patched index holds what an
    index made from the pages as they now are holds, file for file, and names each shard it changed."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(search, "SHARD_BYTES", limit)
        terms = [_terms(where) for where in pages]
        index = TermIndex.of(terms)
        for doc, where in edits:
            new = _terms(where)
            patched, dirty = index.updated({doc: (terms[doc], new)})
            terms[doc] = new
            full = TermIndex.of(terms)
            assert patched.postings == full.postings
            assert {p: n for p, n in patched.sizes.items() if n} == full.sizes
            assert patched.shards == full.shards
            assert patched.key_of == full.key_of
            assert meta_json(patched, 30) == meta_json(full, 30)
            files = {k: patched.shard_json(k) for k in patched.shards}
            assert files == {k: full.shard_json(k) for k in full.shards}
            before = {k: index.shard_json(k) for k in index.shards}
            assert {k for k in files.keys() | before.keys() if files.get(k) != before.get(k)} <= dirty
            index = patched


def test_patching_moves_keys_across_the_limit() -> None:
    """The random edits above reach the re-cut path: growing a word splits its key, shrinking merges it."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(search, "SHARD_BYTES", 30)
        terms = [_terms({"data": {1}, "date": {2}})] + [""] * 20
        index = TermIndex.of(terms)
        assert set(index.shards) == {""}
        grown, dirty = index.updated({n: ("", _terms({"data": {3}})) for n in range(1, 21)})
        assert set(grown.shards) == {"data", "date"} and dirty == {"", "data", "date"}
        back, dirty = grown.updated({n: (_terms({"data": {3}}), "") for n in range(1, 21)})
        assert back.shards == index.shards and dirty == {"", "data", "date"}
