"""Input and output records of the site builder.

Plain frozen dataclasses so the builder stays pure: the publishing service fills them from the
database, the builder never sees a session or a request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class SiteBuildError(ValueError):
    """The input cannot be turned into a site (unsafe slug, two pages on one URL, bad base URL)."""


@dataclass(frozen=True)
class SitePage:
    id: str
    slug: str
    language: str
    title: str
    description: str
    page_type: str  # 'knowledge' | 'custom'
    content: str
    body_html: str | None
    translatable_strings: dict[str, str]
    canonical_slug: str
    doc_template_id: str
    schema_org_type: str
    schema_org_fields: dict[str, str]
    metadata: dict[str, Any]
    updated_at: datetime

    @property
    def is_custom(self) -> bool:
        # Anything that is not explicitly custom is rendered from Markdown: a page with an unknown
        # type still has content worth showing, and only custom bodies bypass the sanitizer.
        return self.page_type == "custom"


@dataclass(frozen=True)
class SiteConfig:
    project_name: str
    project_slug: str
    base_url: str
    default_locale: str
    locales: list[str]
    theme: dict[str, Any] = field(default_factory=dict)
    sidebar_groups: list[dict[str, Any]] = field(default_factory=list)
    header_nav: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class PageRecord:
    """What the last build knew about one page's output (see BuildState)."""

    input_hash: str
    files: list[str]
    bytes: int
    links: dict[str, str]  # href as written in the Markdown -> href written to the HTML
    excerpt: str  # kept so unchanged pages need not be re-parsed for the search index

    def to_dict(self) -> dict[str, Any]:
        return {"h": self.input_hash, "f": self.files, "b": self.bytes, "l": self.links, "x": self.excerpt}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PageRecord:
        return cls(
            input_hash=str(data["h"]),
            files=[str(f) for f in data["f"]],
            bytes=int(data["b"]),
            links={str(k): str(v) for k, v in data.get("l", {}).items()},
            excerpt=str(data.get("x", "")),
        )


@dataclass
class BuildState:
    """The inputs of one build, so the next one can skip pages whose inputs did not change.

    `shared_hash` covers everything every page depends on (builder version, templates, theme,
    header nav, sidebar group titles and icons, locales, base URL); when it changes, all pages are
    rendered again. `pages` is keyed by the page's HTML file (relative to the output directory).
    `shared_files` lists the site-wide files (assets, sitemap, indexes) with their sizes, so files
    that stop being produced can be deleted.
    """

    shared_hash: str
    pages: dict[str, PageRecord]
    shared_files: dict[str, int]
    version: int = 1

    def to_json(self) -> str:
        return json.dumps(
            {
                "version": self.version,
                "shared": self.shared_hash,
                "pages": {k: v.to_dict() for k, v in sorted(self.pages.items())},
                "shared_files": dict(sorted(self.shared_files.items())),
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> BuildState:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("version") != 1:
            raise ValueError("unsupported build state")
        return cls(
            shared_hash=str(data["shared"]),
            pages={str(k): PageRecord.from_dict(v) for k, v in data["pages"].items()},
            shared_files={str(k): int(v) for k, v in data.get("shared_files", {}).items()},
        )


@dataclass
class BuildResult:
    state: BuildState
    rendered: int  # pages rendered in this build (the rest were unchanged)
    skipped: int
    written: list[str]  # files written, relative to out_dir, sorted
    removed: list[str]  # stale files deleted, relative to out_dir, sorted
    total_bytes: int  # size of the whole site after the build
    duration_s: float
    full_rebuild: bool
