"""The page's main content as Markdown (trafilatura), its images, and its text.

trafilatura finds the main content and drops navigation, cookie banners, footers, comment threads and
share widgets; it keeps headings, lists, tables, code blocks, emphasis, links and images, written as
Markdown. Links and images were made absolute before it ran (``document.py``): trafilatura's own
resolution joins ``../x`` against the host instead of the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import trafilatura
from lxml.html import HtmlElement
from markdown_it import MarkdownIt
from markdown_it.token import Token
from trafilatura.settings import use_config

from ..errors import InvalidInput
from .fields import plain

MIN_CONTENT_CHARS = 20
_FENCE = re.compile(r"^(\s*)(```|~~~)")
_TABLE_ROW = re.compile(r"^\s*\|")


@dataclass
class Image:
    url: str
    alt: str
    title: str


@dataclass
class MainContent:
    markdown: str
    text: str  # the Markdown's plain text (language detection, description fallback)
    images: list[Image]
    links: list[str]
    first_heading: str | None
    tokens: list[Token]

    def without_title(self, title: str) -> str:
        return without_title(self.markdown, title, self.tokens)


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


@cache
def _config() -> Any:
    config = use_config()
    # The capture is the whole page the user saw; a short page (a product, a short answer) is still content.
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", "100")
    return config


def main_content(tree: HtmlElement, url: str) -> MainContent:
    """The main content of a page cleaned by ``clean.cleaned_copy``."""
    markdown = trafilatura.extract(
        tree,
        url=url,
        output_format="markdown",
        include_comments=False,
        include_tables=True,
        include_images=True,
        include_formatting=True,
        include_links=True,
        config=_config(),
    )
    markdown = tidy_markdown(markdown or "")
    tokens = _parser().parse(markdown)
    text = _tokens_text(tokens)
    if len(text) < MIN_CONTENT_CHARS or not any(ch.isalpha() for ch in text) or _only_chrome(tree, text):
        raise InvalidInput(
            "The page has no main content to extract: only navigation, banners or an empty body were "
            "found. Capture the page once it has fully loaded (content drawn by scripts must be on the "
            "screen), or write the page by hand.",
            code="empty_content",
        )
    images, links = _references(tokens)
    return MainContent(markdown, text, images, links, _first_heading(tokens), tokens)


def _only_chrome(tree: HtmlElement, text: str) -> bool:
    """True when every line extracted is text of the page's navigation, header or footer: with no
    content, trafilatura falls back to whatever text is left. Compared without whitespace, as
    adjacent links have none between them in the page."""
    chrome = "".join(
        "".join(e.text_content().split())
        for e in tree.xpath("//nav|//header|//footer|//*[@role='navigation' or @role='banner' or @role='contentinfo']")
    )
    lines = ["".join(line.split()) for line in text.split("\n") if line.strip()]
    return bool(chrome) and all(line in chrome for line in lines)


def without_title(markdown: str, title: str, tokens: list[Token] | None = None) -> str:
    """The body minus its first ``# heading`` when that heading is the title: the site shows the page's
    title as its h1, and would show it twice."""
    if tokens is None:
        tokens = _parser().parse(markdown)
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h1" and token.map:
            if " ".join(tokens[i + 1].content.split()) != " ".join(title.split()):
                return markdown
            lines = markdown.split("\n")
            start, end = token.map
            return tidy_markdown("\n".join(lines[:start] + lines[end:]))
    return markdown


def tidy_markdown(markdown: str) -> str:
    """Blank lines around fences and tables (trafilatura sometimes glues them to the next block),
    no trailing spaces, at most one blank line in a row."""
    out: list[str] = []
    in_fence = False
    previous_table = False
    for line in markdown.replace("\r\n", "\n").split("\n"):
        line = line.rstrip() if not in_fence else line
        fence = _FENCE.match(line)
        table = not in_fence and bool(_TABLE_ROW.match(line))
        if fence and not in_fence:
            if out and out[-1]:
                out.append("")
            out.append(line)
            in_fence = True
            continue
        if fence and in_fence:
            out.append(line)
            out.append("")
            in_fence = False
            continue
        if not in_fence:
            if table and not previous_table and out and out[-1]:
                out.append("")
            if not table and previous_table and line:
                out.append("")
            if not line and out and not out[-1]:
                continue
        previous_table = table
        out.append(line)
    return "\n".join(out).strip() + "\n"


def markdown_text(markdown: str) -> str:
    """Plain text of Markdown: what a reader reads (link text, not URLs; code as written)."""
    return _tokens_text(_parser().parse(markdown))


def _tokens_text(tokens: list[Token]) -> str:
    parts: list[str] = []

    def walk(tokens: list[Token]) -> None:
        for token in tokens:
            if token.type in ("text", "code_inline", "code_block", "fence"):
                parts.append(token.content)
            elif token.type in ("softbreak", "hardbreak"):
                parts.append(" ")
            elif token.type == "image":
                continue  # alt text is not body text
            if token.children:
                walk(token.children)
            if token.block and token.nesting <= 0:
                parts.append("\n")

    walk(tokens)
    return re.sub(r"[ \t]+", " ", "".join(parts)).strip()


def _references(tokens: list[Token]) -> tuple[list[Image], list[str]]:
    images: dict[str, Image] = {}
    links: list[str] = []
    for token in tokens:
        for child in token.children or []:
            if child.type == "image":
                src = str(child.attrs.get("src") or "")
                if src.startswith(("http://", "https://")) and src not in images:
                    alt = "".join(c.content for c in child.children or []) or child.content
                    images[src] = Image(src, plain(alt), str(child.attrs.get("title") or ""))
            elif child.type == "link_open":
                links.append(str(child.attrs.get("href") or ""))
    return list(images.values()), links


def _first_heading(tokens: list[Token]) -> str | None:
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h1" and i + 1 < len(tokens):
            return tokens[i + 1].content.strip() or None
    return None
