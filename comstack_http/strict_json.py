"""Strict JSON for request bodies, on both doors (REST bodies and ``POST /mcp`` messages).

UTF-8 only, no NaN/Infinity, no key given twice in one object (``{"slug": "a", "slug": "b"}`` is
ambiguous, and silently keeping the last is how a checked value gets replaced by an unchecked one), and
a bounded nesting depth (the validators and the database drivers recurse).
"""

from __future__ import annotations

import json
from typing import Any

from comstack_core.errors import InvalidInput

MAX_JSON_DEPTH = 32


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _nesting_depth(data: Any) -> int:
    """Deepest nesting of objects and arrays, walked without recursion."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):  # some key came twice: name the first one repeated
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return found


def strict_json(raw: bytes, *, max_depth: int) -> Any:
    """The decoded body, or ``InvalidInput`` saying what is wrong with it."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInput(
            f"The request body is not valid UTF-8 (byte {error.start}); send JSON encoded as UTF-8.",
            code="invalid_utf8",
        ) from None
    too_deep = InvalidInput(
        f"The request body nests objects and arrays deeper than {max_depth} levels.", code="invalid_json"
    )
    try:
        data = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except RecursionError:
        raise too_deep from None
    except _DuplicateKey as error:
        raise InvalidInput(
            f"The request body gives the key {error.args[0]!r} twice in one object; give each key once.",
            code="invalid_json",
        ) from None
    except ValueError as error:
        raise InvalidInput(f"The request body is not valid JSON: {error}.", code="invalid_json") from None
    # Nothing nests deeper than the number of objects and arrays it opens: most bodies open fewer than the
    # limit and need no walk.
    if raw.count(b"{") + raw.count(b"[") > max_depth and _nesting_depth(data) > max_depth:
        raise too_deep
    return data
