"""Bring a whole docs tree in: an MkDocs project, a Hugo or Docusaurus content folder, or plain Markdown.

`read_tree(folder, options)` reads the tree into an `ImportPlan` and writes nothing;
`extract_archive(...)` unpacks an uploaded `.zip` / `.tar.gz` safely into a temporary folder first;
`compare(plan, previous)` says which planned pages are new, changed, unchanged or gone since the
last import, from the source path and hash each imported page remembers.
"""

from __future__ import annotations

from .archive import ArchiveLimits, ExtractedTree, extract_archive
from .changes import PlanChanges, SourceRecord, compare
from .errors import ArchiveRefused, ArchiveTooLarge, ImportRefused
from .model import (
    IMAGE_PLACEHOLDER,
    FileReport,
    ImportLimits,
    ImportOptions,
    ImportPlan,
    Note,
    PlannedGroup,
    PlannedImage,
    PlannedPage,
)
from .planner import read_tree

__all__ = [
    "IMAGE_PLACEHOLDER",
    "ArchiveLimits",
    "ArchiveRefused",
    "ArchiveTooLarge",
    "ExtractedTree",
    "FileReport",
    "ImportLimits",
    "ImportOptions",
    "ImportPlan",
    "ImportRefused",
    "Note",
    "PlanChanges",
    "PlannedGroup",
    "PlannedImage",
    "PlannedPage",
    "SourceRecord",
    "compare",
    "extract_archive",
    "read_tree",
]
