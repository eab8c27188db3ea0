"""Numbered lines and the helpers every syntax converter shares.

A document is a list of (source line number, text). Converters replace lines with new ones that keep
the number of the source line they came from, so that every report points at the line a person can
find in their own file, even after snippets were inlined or blocks unwrapped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .model import Kind, Note, NoteKind

Line = tuple[int, str]

FENCE_OPEN = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")

# GitHub's five callout kinds; every admonition type of MkDocs, pymdown, Docusaurus and Hugo themes
# maps to the closest one (unknown types read as notes).
_CALLOUTS = {
    "note": "NOTE", "info": "NOTE", "abstract": "NOTE", "summary": "NOTE", "tldr": "NOTE", "todo": "NOTE",
    "seealso": "NOTE", "example": "NOTE", "quote": "NOTE", "cite": "NOTE", "question": "NOTE",
    "help": "NOTE", "faq": "NOTE", "settings": "NOTE", "new": "NOTE", "secondary": "NOTE",
    "tip": "TIP", "hint": "TIP", "success": "TIP", "check": "TIP", "done": "TIP",
    "important": "IMPORTANT", "primary": "IMPORTANT",
    "warning": "WARNING", "attention": "WARNING", "bug": "WARNING", "failure": "WARNING", "fail": "WARNING",
    "missing": "WARNING",
    "danger": "CAUTION", "error": "CAUTION", "caution": "CAUTION",
}


def callout_kind(name: str, *, docusaurus: bool = False) -> str:
    name = name.lower()
    if docusaurus and name == "caution":
        return "WARNING"  # Docusaurus' caution is its yellow warning; danger is the red one
    return _CALLOUTS.get(name, "NOTE")


@dataclass
class Context:
    """What converters need to know about the file, and where they write their notes."""

    kind: Kind
    path: str
    mdx: bool = False
    notes: list[Note] = field(default_factory=list)
    resolve_snippet: Callable[[str, int], list[Line] | None] | None = None

    def note(self, line: int | None, kind: NoteKind, code: str, message: str) -> None:
        self.notes.append(Note(line, kind, code, message))


def columns(text: str) -> int:
    """Leading whitespace width, tabs counting to the next multiple of 4."""
    width = 0
    for ch in text:
        if ch == " ":
            width += 1
        elif ch == "\t":
            width += 4 - width % 4
        else:
            break
    return width


def strip_columns(text: str, n: int) -> str:
    """Remove `n` columns of leading whitespace (fewer if the line has fewer)."""
    width = 0
    i = 0
    while i < len(text) and width < n and text[i] in " \t":
        width += 1 if text[i] == " " else 4 - width % 4
        i += 1
    return " " * (width - n) + text[i:] if width > n else text[i:]


def indented_body(lines: list[Line], start: int, need: int) -> tuple[list[Line], int]:
    """The lines from `start` indented by at least `need` columns (blank lines inside included), dedented;
    and the index after them. Trailing blank lines stay outside."""
    j = start
    while j < len(lines):
        text = lines[j][1]
        if text.strip() and columns(text) < need:
            break
        j += 1
    end = j
    while end > start and not lines[end - 1][1].strip():
        end -= 1
    return [(no, strip_columns(text, need)) for no, text in lines[start:end]], end


def callout(kind: str, title: str | None, body: list[Line], line: int, indent: str = "") -> list[Line]:
    out: list[Line] = [(line, f"{indent}> [!{kind}]")]
    if title:
        out.append((line, f"{indent}> **{title.strip()}**"))
        if body:
            out.append((line, f"{indent}>"))
    for no, text in body:
        out.append((no, f"{indent}> {text}".rstrip() if text.strip() else f"{indent}>"))
    out.append((line, ""))  # ends the quote: a following line must not continue it lazily
    return out


def labelled(title: str, body: list[Line], line: int, indent: str = "") -> list[Line]:
    """One tab of a tab set: its label in bold, then its content."""
    out: list[Line] = [(line, f"{indent}**{title.strip()}**"), (line, "")]
    out.extend((no, f"{indent}{text}" if text.strip() else "") for no, text in body)
    out.append((line, ""))
    return out


def fence_end(lines: list[Line], start: int) -> int:
    """Index after the fenced code block opening at `start` (the end of the document if unclosed)."""
    match = FENCE_OPEN.match(lines[start][1])
    assert match is not None
    fence = match.group("fence")
    close = re.compile(rf"^\s*{re.escape(fence[0])}{{{len(fence)},}}\s*$")
    for j in range(start + 1, len(lines)):
        if close.match(lines[j][1]):
            return j + 1
    return len(lines)


def is_fence(text: str) -> bool:
    match = FENCE_OPEN.match(text)
    return match is not None and not (match.group("fence")[0] == "`" and "`" in match.group("info"))
