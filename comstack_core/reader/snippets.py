"""Short plain-text excerpts of a page's Markdown around a reader's words, for search results."""

from __future__ import annotations

import re
import unicodedata

SNIPPET_CHARS = 240
_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^#{1,6}\s")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKS = re.compile(r"[*_`>|#]+|^\s*[-+]\s+", re.MULTILINE)
_SPACE = re.compile(r"\s+")


def sections(markdown: str) -> list[tuple[str, str]]:
    """(heading as plain text, its section's Markdown): first the text before any heading (heading ''), then
    each heading's section. Fenced code does not split."""
    out: list[tuple[str, list[str]]] = [("", [])]
    fenced = False
    for line in markdown.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and _HEADING.match(line):
            out.append((plain(line.lstrip("#")), []))
        out[-1][1].append(line)
    return [(heading, "\n".join(lines)) for heading, lines in out]


def plain(markdown: str) -> str:
    text = _LINK.sub(r"\1", markdown)
    text = _MARKS.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def _fold(text: str) -> str:
    # Lower case without accents, one character per character of ``text`` (so offsets carry over).
    if text.isascii():
        return text.lower()
    return "".join(
        (unicodedata.normalize("NFKD", c)[0] if not c.isascii() else c).lower()[:1] or c for c in text
    )


def excerpt(markdown: str, words: list[str], heading: str | None) -> str:
    """Up to SNIPPET_CHARS of the section under ``heading`` (the page's headings as the search index names
    them; the whole page when None or not found) around the first of ``words`` found there, cut at word
    boundaries."""
    wanted = " ".join((heading or "").split())
    source = next((text for title, text in sections(markdown) if wanted and title == wanted), markdown)
    text = plain(source)
    folded = _fold(text)
    at = min((i for i in (folded.find(w) for w in words) if i >= 0), default=0)
    start = max(0, at - SNIPPET_CHARS // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < at else start
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > at else end
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")
