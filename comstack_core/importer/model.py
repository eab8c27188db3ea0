"""The import plan: what a tree of Markdown files would become, and what happened to every file.

Plain data with no database in it. The integration applies `ImportPlan.pages` through the editing
services, `groups` through the navigation service and `images` through the image store, and shows
`files` to the person who asked for the import.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["mkdocs", "hugo", "docusaurus", "plain"]
FileStatus = Literal["imported", "converted", "skipped", "failed"]
NoteKind = Literal["converted", "unsupported", "link", "image", "info"]

IMAGE_PLACEHOLDER = "image:"  # + the image's sha256: the integration swaps it for the stored image's URL
DEFAULT_GROUP_ICON = "menu_book"


@dataclass(frozen=True)
class ImportLimits:
    """Caps for reading a tree; every one is a setting (see the package docs)."""

    max_files: int = 10_000  # entries walked (files + folders): more refuses the whole import
    max_file_bytes: int = 5 * 1024 * 1024  # one Markdown file; a bigger one fails alone
    max_total_bytes: int = 200 * 1024 * 1024  # Markdown + images read, all files together
    max_image_bytes: int = 10 * 1024 * 1024  # the image upload limit of SPEC §13


@dataclass(frozen=True)
class ImportOptions:
    language: str = "en"  # pages without a language of their own (file suffix, front matter)
    doc_template_id: str = "docs"
    template_fields: tuple[dict[str, Any], ...] = ()  # the template's field definitions
    include_drafts: bool = False  # front matter `draft: true` is skipped unless this is set
    kind: Kind | None = None  # force a source kind instead of detecting it
    group_icon: str = DEFAULT_GROUP_ICON
    limits: ImportLimits = field(default_factory=ImportLimits)


@dataclass(slots=True)
class Note:
    """One thing worth telling about a file: a conversion, unsupported syntax, a link or image problem."""

    line: int | None  # 1-based line in the source file
    kind: NoteKind
    code: str
    message: str


@dataclass(slots=True)
class FileReport:
    path: str  # relative to the tree root, '/'-separated
    status: FileStatus
    code: str = ""  # why it was skipped or failed (machine code)
    reason: str = ""  # the same for a person
    slug: str | None = None
    language: str | None = None
    notes: list[Note] = field(default_factory=list)

    def settle(self, status: FileStatus, code: str, reason: str) -> FileReport:
        """Mark the file skipped or failed, with the machine code and the sentence for a person."""
        self.status, self.code, self.reason = status, code, reason
        return self


@dataclass(slots=True)
class PlannedPage:
    slug: str
    language: str
    title: str
    description: str
    content: str  # Markdown, converted, links rewritten, images as placeholders
    metadata: dict[str, Any]  # JSON-safe; template fields are keys of it too
    template_fields: list[str]  # metadata keys that are fields of the doc template
    doc_template_id: str
    source_path: str  # relative to the tree root: what the page remembers for the next import
    source_hash: str  # sha256 of the file's bytes
    content_hash: str  # sha256 of what the page would hold (title, description, content, metadata, template)
    order: float | None = None  # weight / sidebar_position, when the source gave one
    links: list[str] = field(default_factory=list)  # slugs this page links to
    images: list[str] = field(default_factory=list)  # sha256 of the local images it shows


@dataclass(slots=True)
class PlannedGroup:
    title: str
    page_slugs: list[str]
    icon: str = DEFAULT_GROUP_ICON
    source: str = ""  # where the group came from: 'nav', or the folder


@dataclass(slots=True)
class PlannedImage:
    source_path: str  # relative to the tree root
    sha256: str
    size: int
    media_type: str
    used_by: list[str] = field(default_factory=list)  # slugs of the pages that show it

    @property
    def placeholder(self) -> str:
        return IMAGE_PLACEHOLDER + self.sha256


@dataclass
class ImportPlan:
    kind: Kind
    site_name: str | None
    language: str
    content_root: str  # the folder the pages were read from, relative to the tree root ('' = the root)
    pages: list[PlannedPage] = field(default_factory=list)
    groups: list[PlannedGroup] = field(default_factory=list)
    images: list[PlannedImage] = field(default_factory=list)
    files: list[FileReport] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)  # about the source as a whole (nav entries, config)

    @property
    def failed(self) -> list[FileReport]:
        return [f for f in self.files if f.status == "failed"]

    def counts(self) -> dict[str, int]:
        out = {"imported": 0, "converted": 0, "skipped": 0, "failed": 0}
        for f in self.files:
            out[f.status] += 1
        out["pages"] = len(self.pages)
        out["images"] = len(self.images)
        out["groups"] = len(self.groups)
        return out

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        for image, out in zip(self.images, data["images"], strict=True):
            out["placeholder"] = image.placeholder
        data["counts"] = self.counts()
        return data
