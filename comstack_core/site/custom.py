"""Custom pages: the uploaded HTML body, shipped as written, with translated strings filled in."""

from __future__ import annotations

import html as htmlmod
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode


@dataclass
class CustomBody:
    html: str
    has_h1: bool
    excerpt: str
    text: str = ""  # the prose, for the search index


_NOT_PROSE = {"script", "style", "template", "noscript", "svg"}
SEARCH_TEXT_CHARS = 20_000


def _excerpt(root: LexborNode, limit: int = 160) -> str:
    words: list[str] = []
    size = 0
    for node in root.traverse(include_text=True):
        if not node.is_text_node or node.parent is None or node.parent.tag in _NOT_PROSE:
            continue
        for word in (node.text_content or "").split():
            words.append(word)
            size += len(word) + 1
        if size >= limit:
            break
    return " ".join(words)[:limit]


def render_custom(body: str, strings: dict[str, str]) -> CustomBody:
    """Fill `data-t-key` elements from `strings`; otherwise the body is returned byte for byte.

    A real parser finds the markers (attribute quoting, nesting and scripts make regexes wrong).
    Only when a marker actually changes is the body re-serialised, because re-serialising
    normalises markup the author may rely on.
    """
    tree = LexborHTMLParser(body)
    root = tree.body
    has_h1 = tree.css_first("h1") is not None
    changed = False
    if strings:
        for node in tree.css("[data-t-key]"):
            key = node.attributes.get("data-t-key")
            if key is None or key not in strings:
                continue
            value = strings[key]
            if node.text(deep=True) == value and node.child is not None and node.child.is_text_node:
                continue
            # Escaped text, never markup: translations come from a model or a provider.
            node.inner_html = htmlmod.escape(value, quote=False)
            changed = True
    text = _excerpt(root, SEARCH_TEXT_CHARS) if root is not None else ""
    excerpt = text[:160]
    if changed and root is not None:
        body = root.inner_html or ""
    return CustomBody(html=body, has_h1=has_h1, excerpt=excerpt, text=text)
