"""A tool result's JSON text is written by pydantic-core (``compact_json``) instead of ``json.dumps``. It must say
the same: the same JSON value for anything a tool can return, and the same text unless a float is in it."""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from comstack_mcp.dispatch import compact_json


def plain(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


TEXT = st.text() | st.sampled_from(
    ["", 'a"b\\c/', "\x00\x1f\x7f", "\u2028\u2029", "é😀", "\ud800", "a\ud800b"]
)
EXACT = st.none() | st.booleans() | st.integers() | st.integers(min_value=2**63 - 2, max_value=2**70) | TEXT


def json_values(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaves,
        lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
        max_leaves=20,
    )


@settings(max_examples=500, deadline=None)
@given(json_values(EXACT))
def test_the_same_text_without_floats(data: Any) -> None:
    assert compact_json(data) == plain(data)


@settings(max_examples=500, deadline=None)
@given(json_values(EXACT | st.floats(allow_nan=False)))
def test_the_same_value_with_floats(data: Any) -> None:
    assert json.loads(compact_json(data)) == json.loads(plain(data))


def test_non_finite_floats_as_json_dumps_writes_them() -> None:
    data = {"a": math.inf, "b": -math.inf, "c": math.nan}
    assert compact_json(data) == plain(data) == '{"a":Infinity,"b":-Infinity,"c":NaN}'
