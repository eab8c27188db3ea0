"""A page's search terms (``search.page_terms``) keep each term's sections as the bits of an int, for speed:
they must equal what a set of sections per term gives, written the obvious way."""

from __future__ import annotations

from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from comstack_core.site import search
from comstack_core.site.search import (
    ALL,
    CODES,
    LISTED_SECTIONS,
    LOW_SECTIONS,
    TITLE,
    page_terms,
    terms_of,
)


def obvious_page_terms(title: str, description: str, sections: list[str]) -> str:
    where: dict[str, set[int]] = {}
    parts = [
        (0, title),
        (1, description),
        *((1 if n == 0 else n + 1, text) for n, text in enumerate(sections)),
    ]
    for section, text in parts:
        for term in terms_of(text):
            if term not in where and len(where) >= search.MAX_TERMS:
                continue
            where.setdefault(term, set()).add(section)
    if not where:
        return ""
    codes = []
    for term in sorted(where):
        found = where[term]
        title_bit = TITLE if 0 in found else 0
        rest = sorted(found - {0})
        if len(rest) > LISTED_SECTIONS:
            codes.append(CODES[title_bit | ALL])
            continue
        low = sum(1 << (s - 1) for s in rest if s <= LOW_SECTIONS)
        codes.append("".join(f".{s:x}" for s in rest if s > LOW_SECTIONS) + CODES[title_bit | low])
    return " ".join(sorted(where)) + "\t" + " ".join(codes)


WORDS = ["install", "token", "café", "Ünïcode", "x", "42", "a1", "deploy", "naïve", "key", "SERVER", "zz"]
TEXT = st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join)


@settings(max_examples=300)
@given(
    title=TEXT,
    description=TEXT,
    sections=st.lists(TEXT, max_size=40),
    max_terms=st.sampled_from([3, 8, search.MAX_TERMS]),
)
def test_page_terms_equal_the_obvious_way(
    title: str, description: str, sections: list[str], max_terms: int
) -> None:
    with mock.patch.object(search, "MAX_TERMS", max_terms):
        assert page_terms(title, description, sections) == obvious_page_terms(title, description, sections)


def test_codes_for_sections_past_the_low_ones_and_past_the_listed_count() -> None:
    # Sections 7 and 18 (0x12) are listed by number; a fourth section makes the term "everywhere".
    many = ["", "", "", "", "", "", "word", *[""] * 10, "word"]
    assert page_terms("word", "", many) == obvious_page_terms("word", "", many)
    assert page_terms("", "", many).endswith("\t.7.12" + CODES[0])
    assert page_terms("", "word", [*many, "word", "word"]).endswith("\t" + CODES[ALL])
