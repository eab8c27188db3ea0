"""Page text as something a voice can say: Markdown and custom-page HTML turned into plain blocks and
sentences.

What is read and what is not (a listener cannot see the page):

- headings, paragraphs, list items and block quotes are read as plain sentences; emphasis, heading
  marks, list bullets and numbers are dropped;
- links are read by their text only, never their address; images are skipped;
- inline code is read as written (a command or a name is what the listener needs), fenced and indented
  code blocks are skipped (nobody can follow code read aloud);
- tables are read row by row, each cell after its column header: "Role: viewer; Can: read." A table
  without header text reads its cells in order;
- raw HTML keeps its text and loses its tags; scripts and styles are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from markdown_it import MarkdownIt
from markdown_it.token import Token
from selectolax.lexbor import LexborHTMLParser, LexborNode

BlockKind = Literal["heading", "text", "item", "row"]


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str
    section: str = ""  # the nearest heading above the block ("" before the first one)
    level: int = 0  # heading level, for headings


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


_SPACE_BEFORE_PUNCT = re.compile(r"\s+(?=[.,;:!?…)\]])")


def _squash(text: str) -> str:
    # Text joined from HTML nodes gets a space before punctuation ("for <a>web</a>." -> "web .").
    return _SPACE_BEFORE_PUNCT.sub("", " ".join(text.split()))


def _inline(token: Token) -> str:
    # Images keep their alt text in their own children, so skipping the image token skips it; raw inline
    # HTML tokens are tags only (the text between them arrives as text tokens); links are their text.
    parts: list[str] = []
    for child in token.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return _squash("".join(parts))


class _Sections:
    def __init__(self) -> None:
        self.current = ""
        self.blocks: list[Block] = []

    def add(self, kind: BlockKind, text: str, level: int = 0) -> None:
        text = _squash(text)
        if not text:
            return
        if kind == "heading":
            self.current = text
        self.blocks.append(Block(kind, text, self.current if kind != "heading" else "", level))


def markdown_blocks(source: str) -> list[Block]:
    out = _Sections()
    tokens = _parser().parse(source)
    depth_item = 0
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "heading_open":
            out.add("heading", _inline(tokens[i + 1]), level=int(token.tag[1]))
            i += 3
            continue
        if token.type == "list_item_open":
            depth_item += 1
        elif token.type == "list_item_close":
            depth_item -= 1
        elif token.type == "paragraph_open":
            out.add("item" if depth_item else "text", _inline(tokens[i + 1]))
            i += 3
            continue
        elif token.type == "table_open":
            i = _table(tokens, i, out)
            continue
        elif token.type == "html_block":
            out.add("text", html_text(token.content))
        # fence, code_block, hr, images: nothing to say
        i += 1
    return out.blocks


def _table(tokens: list[Token], start: int, out: _Sections) -> int:
    header: list[str] = []
    row: list[str] = []
    in_head = False
    i = start
    while i < len(tokens):
        token = tokens[i]
        if token.type == "thead_open":
            in_head = True
        elif token.type == "thead_close":
            in_head = False
        elif token.type == "inline":
            (header if in_head else row).append(_inline(token))
        elif token.type == "tr_close" and not in_head:
            out.add("row", table_row(header, row))
            row = []
        elif token.type == "table_close":
            return i + 1
        i += 1
    return i


def table_row(header: list[str], cells: list[str]) -> str:
    if not any(header):
        return sentence(", ".join(c for c in cells if c))
    pairs = [f"{h}: {c}" if h else c for h, c in zip(header, cells, strict=False) if c]
    return sentence("; ".join(pairs))


def html_text(html: str) -> str:
    tree = LexborHTMLParser(html)
    for node in tree.css("script, style, template"):
        node.decompose()
    root = tree.body or tree.root
    return _squash(root.text(separator=" ")) if root is not None else ""


_HTML_BLOCKS = "h1, h2, h3, h4, h5, h6, p, li, tr, dt, dd, blockquote, figcaption, caption"


def html_blocks(source: str) -> list[Block]:
    """Blocks of a custom page's HTML, in document order."""
    tree = LexborHTMLParser(source)
    for node in tree.css("script, style, template, noscript, svg"):
        node.decompose()
    out = _Sections()
    nodes = tree.css(_HTML_BLOCKS)
    for node in nodes:
        if _inside_block(node):
            continue  # read by its enclosing block
        tag = node.tag or ""
        if tag[0] == "h" and tag[1:].isdigit():
            out.add("heading", node.text(separator=" "), level=int(tag[1]))
        elif tag == "tr":
            cells = [c.text(separator=" ").strip() for c in node.css("td, th")]
            out.add("row", table_row([], cells))
        elif tag in ("li", "dt", "dd"):
            out.add("item", node.text(separator=" "))
        else:
            out.add("text", node.text(separator=" "))
    if not nodes:
        root = tree.body or tree.root
        if root is not None:
            out.add("text", root.text(separator=" "))
    return out.blocks


def _inside_block(node: LexborNode) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag in ("p", "li", "tr", "dt", "dd", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6"):
            return True
        parent = parent.parent
    return False


# A sentence ends at . ! ? … followed by a space and something that can start a sentence. Common
# abbreviations do not end one.
_SPLIT = re.compile(r"(?<=[.!?…])\s+(?=[\"“«¿¡(\[]?[A-ZÀ-ÖØ-Þ0-9])")
_ABBREVIATIONS = re.compile(r"\b(?:e\.g|i\.e|etc|vs|approx|Dr|Mr|Mrs|Ms|Sr|Sra|St|No|p\.ej|z\.B|usw)\.$", re.I)


def split_sentences(text: str) -> list[str]:
    parts: list[str] = []
    for piece in _SPLIT.split(_squash(text)):
        if parts and _ABBREVIATIONS.search(parts[-1]):
            parts[-1] += " " + piece
        else:
            parts.append(piece)
    return [p for p in parts if p]


def sentence(text: str) -> str:
    """End a spoken fragment with a full stop so a speech engine pauses after it."""
    text = _squash(text).rstrip(" ;,")
    if text and text[-1] not in ".!?…:":
        text += "."
    return text


def speakable(source: str, *, html: bool = False) -> str:
    """The whole text as plain speakable prose (headings and list items as sentences)."""
    blocks = html_blocks(source) if html else markdown_blocks(source)
    return " ".join(sentence(b.text) for b in blocks)
