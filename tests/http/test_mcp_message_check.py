"""``message_error`` lets a plainly typed JSON-RPC request through without the SDK's message validation
(``plainly_a_request``). That shortcut must never let through what the validation refuses, and the check as a
whole must answer as the validation alone does."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from mcp_types import jsonrpc_message_adapter
from pydantic import ValidationError

from comstack_http.mcp_requests import message_error, plainly_a_request

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=5)
    | st.sampled_from(["2.0", "tools/call", "1", ""])
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=6,
)
MEMBERS = st.sampled_from(["jsonrpc", "id", "method", "params", "result", "error", "extra"])
ENVELOPES = st.dictionaries(MEMBERS, VALUES, max_size=6) | st.fixed_dictionaries(
    {"jsonrpc": st.just("2.0") | VALUES, "method": st.just("tools/call") | VALUES},
    optional={
        "id": st.integers() | st.text(max_size=3) | VALUES,
        "params": st.dictionaries(st.text(max_size=3), VALUES) | VALUES,
        "extra": VALUES,
    },
)


def accepted(raw: Any) -> bool:
    try:
        jsonrpc_message_adapter.validate_python(raw, by_name=False)
    except ValidationError:
        return False
    return True


def reference(raw: Any) -> bool:
    """What the check answered before the shortcut: a single message passes when the validation accepts it."""
    return not isinstance(raw, list) and accepted(raw)


@settings(max_examples=1000, deadline=None)
@given(ENVELOPES | VALUES)
def test_the_shortcut_passes_only_what_the_validation_accepts(raw: Any) -> None:
    if plainly_a_request(raw):
        assert accepted(raw)
    assert (message_error(json.dumps(raw).encode()) is None) == reference(raw)


def test_the_bench_request_takes_the_shortcut() -> None:
    request = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "x", "arguments": {}}}
    assert plainly_a_request(request)
    assert plainly_a_request({"jsonrpc": "2.0", "id": "a", "method": "tools/list"})
    assert plainly_a_request({"jsonrpc": "2.0", "method": "notifications/initialized"})
    assert not plainly_a_request({"jsonrpc": "2.0", "id": True, "method": "tools/list"})  # bool is no id
    assert not plainly_a_request({"jsonrpc": "2.0", "id": None, "method": "x"})  # left to the validation
