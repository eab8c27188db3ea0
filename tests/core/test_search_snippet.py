"""Search snippets split only the words their window can hold; they must equal the obvious version, which
splits the whole text, for any text, words and size."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from comstack_core.services.page_store.search_index import snippet

WORDS = [
    "install",
    "installing",
    "account",
    "acc",
    "Billing",
    "bill",
    "(setup)",
    "`key`",
    "x",
    "über",
    "naïve",
]
SPACES = [" ", "  ", "\n", "\n\n", "\t", "\u00a0", "\u2003", " \n "]


def obvious(content: str, words: list[str], size: int = 16) -> str:
    stems = sorted({w[: max(3, len(w) - 2)] for w in words}, key=len, reverse=True)
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, stems)) + r")\w*", re.IGNORECASE)
    found = pattern.search(content)
    start = found.start() if found else 0
    before = content[:start].split()[-(size // 4) :] if start else []
    after = content[start:].split()
    window = before + after[: size - len(before)]
    text = " ".join(f"[{w}]" if pattern.match(w.strip("()[]*_`,.;:!?\"'")) else w for w in window)
    return (
        ("…" if before and len(content[:start].split()) > len(before) else "")
        + text
        + ("…" if len(after) > size - len(before) else "")
    )


texts = st.lists(
    st.tuples(st.sampled_from(SPACES), st.sampled_from([*WORDS, "lorem", "ipsum", "dolor."])), max_size=80
).map(lambda parts: "".join(space + word for space, word in parts))


@settings(max_examples=600, deadline=None)
@given(
    content=st.tuples(st.sampled_from(["", " ", "\n"]), texts, st.sampled_from(["", " ", "\n\t"])).map(
        "".join
    ),
    words=st.lists(
        st.sampled_from([w.strip("()`").lower() for w in WORDS] + ["zzz"]), min_size=1, max_size=3
    ),
    size=st.integers(min_value=4, max_value=40),
)
def test_snippet_equals_the_obvious_version(content: str, words: list[str], size: int) -> None:
    assert snippet(content, words, size) == obvious(content, words, size)


def test_the_cases_that_matter_are_covered() -> None:
    long = " ".join(f"w{n}" for n in range(100))
    for content in (
        long + " install " + long,
        "install " + long,
        long + " install",
        "a b install c",
        long,
        "",
    ):
        for size in (4, 16, 17):
            assert snippet(content, ["install"], size) == obvious(content, ["install"], size)
    assert snippet(long + " install " + long, ["install"]).startswith("…") and snippet(
        long, ["zzz"]
    ).endswith("…")
