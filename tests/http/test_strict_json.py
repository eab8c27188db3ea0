"""``strict_json`` skips the nesting walk when a body opens fewer objects and arrays than the limit, and
finds a repeated key by comparing sizes before looking for it. Both shortcuts must give exactly the answer
of the plain rules: every key once, and no nesting past the limit."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comstack_core.errors import InvalidInput
from comstack_http.strict_json import strict_json

LIMIT = 4


def reference(text: str, max_depth: int) -> tuple[str, Any]:
    """The rules spelled out with no shortcut: ("ok", value), or ("refused", what)."""
    repeated: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: set[str] = set()
        for key, _ in items:
            if key in seen and not repeated:
                repeated.append(key)
            seen.add(key)
        return dict(items)

    value = json.loads(text, object_pairs_hook=pairs)
    if repeated:
        return ("refused", f"key {repeated[0]!r}")

    def depth(node: Any) -> int:
        if isinstance(node, dict):
            return 1 + max((depth(child) for child in node.values()), default=0)
        if isinstance(node, list):
            return 1 + max((depth(child) for child in node), default=0)
        return 0

    return ("refused", "depth") if depth(value) > max_depth else ("ok", value)


def outcome(text: str, max_depth: int) -> tuple[str, Any]:
    try:
        return ("ok", strict_json(text.encode(), max_depth=max_depth))
    except InvalidInput as error:
        if "twice" in error.message:
            return ("refused", "key " + error.message.split("the key ", 1)[1].split(" twice")[0])
        assert "deeper than" in error.message
        return ("refused", "depth")


def _text(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[str]:
    """JSON texts whose objects may repeat a key (written out by hand, since a dict cannot)."""
    keys = st.sampled_from(["a", "b", "{", "[x"])

    def extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        objects = st.lists(st.tuples(keys, children), max_size=4).map(
            lambda items: "{" + ",".join(f"{json.dumps(k)}:{v}" for k, v in items) + "}"
        )
        arrays = st.lists(children, max_size=4).map(lambda items: "[" + ",".join(items) + "]")
        return objects | arrays

    return st.recursive(leaves.map(json.dumps), extend, max_leaves=12)


LEAVES = st.none() | st.integers() | st.sampled_from(["plain", "{[{[", "]}", "a\"b"])


@settings(max_examples=400, deadline=None)
@given(_text(LEAVES))
def test_the_shortcuts_answer_as_the_plain_rules_do(text: str) -> None:
    assert outcome(text, LIMIT) == reference(text, LIMIT)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[[[["x"]]]]', ("ok", [[[["x"]]]])),  # as deep as allowed, and as many brackets as the limit
        ('[[[[["x"]]]]]', ("refused", "depth")),
        ('[[[[{"a": "[[[["}]]]]', ("refused", "depth")),
        ('[{"a": "{{{{{{"}]', ("ok", [{"a": "{{{{{{"}])),  # brackets in strings count, never wrongly
        ('[[], [], [], [], [[]]]', ("ok", [[], [], [], [], [[]]])),  # many brackets, little depth
        ('{"a": 1, "b": 2, "a": 3}', ("refused", "key 'a'")),
        ('{"b": {"a": 1, "a": 1}, "b": 2}', ("refused", "key 'a'")),  # inner objects are decoded first
    ],
)
def test_edges(text: str, expected: tuple[str, Any]) -> None:
    assert outcome(text, LIMIT) == expected == reference(text, LIMIT)
