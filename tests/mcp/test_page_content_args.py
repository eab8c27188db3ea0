"""get-page-content hands its arguments to the core as the page reference, where other tools slice their
arguments with ``part()`` (a second validation). The core reads a reference only through ``page_handle``,
so both must give the same handle, or the same refusal, for any arguments the tool accepts."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from comstack_core.errors import InvalidInput
from comstack_core.schemas import PageRef
from comstack_core.services.page_store.queries import page_handle
from comstack_mcp.tools.common import part
from comstack_mcp.tools.state import PageContentArgs

TEXTS = (
    st.none()
    | st.sampled_from(
        ["guides/getting-started", "Guides/A", "a//b", "", " x", "pg_1", "en", "pt-br", "xx-INVALID-", "de"]
    )
    | st.text(max_size=8)
)


def handle(ref: PageRef) -> Any:
    try:
        found = page_handle(ref)
    except InvalidInput as error:
        return ("refused", error.message)
    return (found.kind, found.params)


@settings(max_examples=500, deadline=None)
@given(
    st.fixed_dictionaries(
        {"project_id": st.just("prj_1")},
        optional={
            "path": TEXTS,
            "slug": TEXTS,
            "language": TEXTS,
            "variant": st.sampled_from(["auto", "draft", "live"]),
        },
    )
)
def test_the_arguments_address_the_page_as_their_slice_does(arguments: dict[str, Any]) -> None:
    try:
        args = PageContentArgs.model_validate(arguments)
    except ValidationError:
        return
    assert isinstance(args, PageRef)
    assert handle(args) == handle(part(args, PageRef))
