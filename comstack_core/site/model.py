"""Input and output records of the site builder.

Plain frozen dataclasses so the builder stays pure: the publishing service fills them from the
database, the builder never sees a session or a request.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any


class SiteBuildError(ValueError):
    """The input cannot be turned into a site (unsafe slug, two pages on one URL, bad base URL)."""


class UrlCollision(SiteBuildError):
    """Two pages would be written to one URL (the page services refuse this; the builder re-checks)."""

    def __init__(self, first: SitePage, second: SitePage, url: str) -> None:
        super().__init__(
            f"pages {first.slug!r} ({first.language}) and {second.slug!r} ({second.language}) both claim "
            f"the URL {url}; rename or delete one of them"
        )
        self.pages = (first, second)
        self.url = url


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
    # Optional: an id of the content the page was filled from (title, description, content,
    # body_html, translatable_strings, metadata, updated_at) that never names different content,
    # such as an immutable revision's id. With it, telling whether a page changed costs no hashing
    # of its content; without it, those fields are hashed.
    revision: str = ""

    @cached_property
    def key(self) -> str:
        """Fingerprint of the page's own inputs (what other pages show of it is the builder's business).

        Needed for every page on every build, so it is kept cheap: plain strings joined with NUL (ids,
        slugs, tags and template names never contain one), the schema.org mapping's sorted items, and
        the revision instead of the content when there is one. Kept on the object, which is immutable,
        so a caller that passes the same page objects again pays for it once.
        """
        fields = repr(sorted(self.schema_org_fields.items())) if self.schema_org_fields else ""
        head = "\0".join(
            (
                self.id,
                self.slug,
                self.language,
                self.page_type,
                self.canonical_slug,
                self.doc_template_id,
                self.schema_org_type,
                fields,
            )
        )
        if self.revision:
            return hashlib.sha256(f"{head}\0{self.revision}".encode()).hexdigest()[:32]
        content = [
            self.title,
            self.description,
            self.content,
            self.body_html,
            self.translatable_strings,
            self.metadata,
            self.updated_at.isoformat(),
        ]
        blob = json.dumps(content, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))
        body = hashlib.sha256(blob.encode()).hexdigest()
        return hashlib.sha256(f"{head}\0\0{body}".encode()).hexdigest()[:32]

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
    # Uploaded images the pages show: their published URL -> (width, height, srcset), so every <img> gets
    # its size (no layout shift) and its responsive variants.
    images: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    # The site answers MCP at <site>/mcp (settings.site.reader_mcp): pages point readers' assistants at it.
    mcp: bool = True


@dataclass
class PageRecord:
    """What the last build knew about one page's output (see BuildState). Never changed once made (a page
    rendered again gets a new record): a save copies a saved record's row as it was first written."""

    input_hash: str  # the page's own inputs (SitePage.key)
    files: list[str]
    bytes: int
    links: dict[str, str]  # href as written in the Markdown -> href written to the HTML
    excerpt: str  # kept so unchanged pages need not be re-parsed for the search index
    context: str = ""  # what the page shows of other pages: sidebar, neighbours, alternates, cards
    group: int = -1  # index of the page's sidebar group in its locale (-1: in none)
    # Kept so that an unchanged page needs no re-parsing for the search index: its headings (level, id,
    # text) and its terms (search.page_terms).
    toc: list[tuple[int, str, str]] = field(default_factory=list)
    terms: str = ""
    # The page's pieces of the site-wide files (sitemap row, search row...), made when first needed.
    # Not saved: they live as long as this object, which a caller that keeps its BuildState between
    # builds reuses for every unchanged page, so those pieces are not made again.
    pieces: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    # Where the caller last saved this record's row (publishing.build), so that a later save of a state
    # holding the same record copies those bytes instead of encoding the record again. Not saved.
    saved_at: object = field(default=None, compare=False, repr=False)

    def to_row(self, key: str) -> str:
        """The record as a JSON array, key first."""
        fields = [
            key,
            self.input_hash,
            self.context,
            self.group,
            self.bytes,
            self.files,
            self.links,
            self.excerpt,
            self.toc,
            self.terms,
        ]
        return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_row(cls, row: list[Any]) -> tuple[str, PageRecord]:
        key, input_hash, context, group, size, files, links, excerpt, toc, terms = row
        return str(key), cls(
            input_hash=str(input_hash),
            files=[str(f) for f in files],
            bytes=int(size),
            links={str(k): str(v) for k, v in links.items()},
            excerpt=str(excerpt),
            context=str(context),
            group=int(group),
            toc=[(int(level), str(anchor), str(text)) for level, anchor, text in toc],
            terms=str(terms),
        )


@dataclass
class BuildState:
    """The inputs of one build, so the next one can tell what changed without looking at every page.

    `shared_hash` covers everything every page depends on (builder version, templates, theme,
    header nav, sidebar group titles and icons, locales, base URL); when it changes, all pages are
    rendered again. `navs` holds each locale's navigation hash (a change renders that locale),
    `groups` a digest of each sidebar group's entries ("<locale>/<index>": titles and paths, so only
    pages in a changed group need their sidebar compared), and `places` a digest per locale of
    where its pages are (slug, canonical slug, path, kind): while no place changes, no link and no
    hreflang alternate can resolve differently. `pages` is keyed by the page's HTML file (relative
    to the output directory). `shared_files` maps each site-wide file (assets, sitemap, indexes)
    to [size, sha256], so an unchanged one is neither read nor written, and files that stop being
    produced can be deleted.
    """

    shared_hash: str
    pages: dict[str, PageRecord]
    shared_files: dict[str, tuple[int, str]]
    navs: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    places: dict[str, str] = field(default_factory=dict)
    version: int = 3
    # Not saved: what the build that made this state leaves for the next one in the same process
    # (memo.Memo), so a caller that keeps the state object gets builds that cost what changed.
    memo: object = field(default=None, compare=False, repr=False)

    def files(self) -> set[str]:
        """Every file of the site this state describes."""
        out = set(self.shared_files)
        for record in self.pages.values():
            out.update(record.files)
        return out

    def to_json(self) -> str:
        """The whole state as JSON text: what publishing.state_file writes a row at a time."""
        rows = ",".join(record.to_row(key) for key, record in self.pages.items())
        return f"{self.json_head()}{rows}]}}"

    def json_head(self) -> str:
        """The saved state's text up to its pages (then the rows, comma-separated, then ``]}``). Pages are
        arrays, in build order: tens of MB for tens of thousands of pages, saved on every build, so a
        caller may write the rows itself, copying those it has written before."""
        head = json.dumps(
            {
                "version": self.version,
                "shared": self.shared_hash,
                "navs": self.navs,
                "groups": self.groups,
                "places": self.places,
                "shared_files": {k: list(v) for k, v in self.shared_files.items()},
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )
        return f'{head[:-1]},"pages":['

    @classmethod
    def from_json(cls, text: str) -> BuildState:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("version") != 3:
            raise ValueError("unsupported build state")
        return cls(
            shared_hash=str(data["shared"]),
            pages=dict(PageRecord.from_row(row) for row in data["pages"]),
            shared_files={str(k): (int(v[0]), str(v[1])) for k, v in data["shared_files"].items()},
            navs={str(k): str(v) for k, v in data["navs"].items()},
            groups={str(k): str(v) for k, v in data["groups"].items()},
            places={str(k): str(v) for k, v in data["places"].items()},
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
