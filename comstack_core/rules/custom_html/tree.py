"""Parsing an uploaded body with Lexbor (after the depth guard) and walking the tree iteratively, with what
each element's ancestors say about it; short quotes of values for messages."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .depth import check_nesting

MARKER_ATTRIBUTE = "data-t-key"

# Schemes are ASCII-case-insensitive; str.lower() would also fold non-ASCII letters, which a browser
# never treats as part of a scheme.
ASCII_LOWER = {code: code + 32 for code in range(ord("A"), ord("Z") + 1)}

SNIPPET_LENGTH = 60


@dataclass(frozen=True, slots=True)
class Scope:
    """What an element's ancestors tell us about it, carried down the walk in O(1) per element
    (asking each element for its ancestors would make deep documents quadratic)."""

    in_svg: bool = False
    marker_key: str | None = None  # key of the nearest data-t-key ancestor
    where: str = ""  # e.g. " inside <template>", appended to messages

    def enter(self, element: LexborNode, attributes: dict[str, str | None]) -> Scope:
        in_svg = self.in_svg or element.tag == "svg"
        marker_key = self.marker_key
        if MARKER_ATTRIBUTE in attributes:
            marker_key = attributes[MARKER_ATTRIBUTE] or ""
        if in_svg == self.in_svg and marker_key == self.marker_key:
            return self
        return Scope(in_svg=in_svg, marker_key=marker_key, where=self.where)


def children(node: LexborNode) -> list[LexborNode]:
    """Direct children, text and comments included.

    Navigates with child/next rather than iter(): on the first node of a fragment parse, selectolax's
    iter() yields the whole fragment's top level instead of that node's children.
    """
    children: list[LexborNode] = []
    child = node.child
    while child is not None:
        children.append(child)
        child = child.next
    return children


def walk(
    starts: Iterable[LexborNode], *, templates: bool
) -> Iterator[tuple[LexborNode, dict[str, str | None], Scope]]:
    """Elements in document order with their attributes and the scope their ancestors give them.

    Iterative on purpose: uploaded pages can nest thousands of levels deep, and Python recursion
    would overflow. ``<template>`` content is not part of the document tree, so it is walked only
    when asked (scripts can still stamp it into the page, so link checks want it).
    """
    stack: list[tuple[LexborNode, Scope]] = [(node, Scope()) for node in reversed(list(starts))]
    while stack:
        node, scope = stack.pop()
        if not node.is_element_node:
            continue
        attributes = node.attributes
        yield node, attributes, scope
        inner = scope.enter(node, attributes)
        stack.extend((child, inner) for child in reversed(children(node)))
        if templates and node.tag == "template":
            template_scope = Scope(
                in_svg=inner.in_svg, marker_key=inner.marker_key, where=" inside <template>"
            )
            for fragment in reversed(node.template_fragments()):
                stack.extend((child, template_scope) for child in reversed(children(fragment)))


def document(html: str) -> LexborHTMLParser:
    check_nesting(html)
    return LexborHTMLParser(html)


def document_roots(tree: LexborHTMLParser) -> list[LexborNode]:
    return [tree.root] if tree.root is not None else []


def truncate(value: str, limit: int = SNIPPET_LENGTH) -> str:
    return value if len(value) <= limit else value[:limit] + "…"


def snippet(value: str) -> str:
    # repr() shows hidden tabs and newlines, which is usually exactly the trick being used.
    return repr(truncate(value))


def quoted(value: str) -> str:
    # For echoing an attribute back the way it would be written in the page.
    return '"' + truncate(value).replace('"', "&quot;") + '"'
