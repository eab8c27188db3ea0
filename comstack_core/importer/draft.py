"""A page being planned: what the first pass of `read_tree` knows about one Markdown file.

Its own module because both passes use it: the planner builds drafts, the link resolver rewrites them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .files import TreeFile
from .lines import Context, Line
from .model import FileReport


@dataclass
class Draft:
    file: TreeFile
    rel: str  # relative to the content root
    report: FileReport
    front: dict[str, Any]
    lines: list[Line]
    slug: str
    language: str
    raw_hash: str
    ctx: Context
    title: str = ""
    order: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

