"""A project as plain files, in the layout ``comstack import`` reads (an MkDocs project), so that exporting
and importing into a new project gives the same pages, images and sidebar navigation::

    mkdocs.yml               site_name, docs_dir, nav: one section per sidebar group, its pages in order
    docs/<slug>.md           a knowledge page: front matter (title, description, slug, language, metadata
                             and template fields), then its Markdown; other locales as <slug>.<locale>.md
    docs/images/<id>.<ext>   every image of the project; pages name them by relative path
    custom/<slug>.html       a custom page's HTML (brought back through comstack.yml's list)
    comstack.yml             theme, header links, sidebar icons and titles per locale, custom pages

A page exports what the site shows: its live version. A page that has none (never published, or taken
down) exports its draft marked ``draft: true``, which the importer skips unless asked to include drafts.
"""

from __future__ import annotations

import asyncio
import posixpath
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import col, select

from ..auth import Principal
from ..errors import InvalidInput
from ..images.blobs import FileBlobStore
from ..images.refs import ID
from ..images.sniff import EXTENSIONS
from ..models import Image, Page, PageRevision, Project
from ..services.access import project_access
from ..services.base import Service
from ..services.navigation import load_navigation, nav_snapshot
from ..usecases import Need, use_case

# `image:img_…` references and `/media/img_….ext` URLs (with or without the server's address).
_IMAGE_REF = re.compile(r"image:(img_[a-z0-9]{24})|(?:https?://[^\s()\"'<>]*)?/media/(img_[a-z0-9]{24})\.[a-z0-9]{2,4}")


@dataclass
class ExportSummary:
    project_id: str
    pages: int = 0
    drafts: int = 0
    custom_pages: int = 0
    images: int = 0
    files: list[str] = field(default_factory=list)


@dataclass
class _Snapshot:
    project: Project
    pages: list[tuple[Page, PageRevision, bool]]  # page, the revision exported, whether it is only a draft
    images: list[Image]
    nav: dict[str, Any]
    theme: dict[str, Any]


class ExportService(Service):
    @use_case(Need.manager, writes=False)
    async def export_project(self, principal: Principal, project_id: str, target: Path) -> ExportSummary:
        """Write the project's files into ``target``, a folder that does not exist yet or is empty."""
        target = Path(target)
        if await asyncio.to_thread(_not_empty, target):
            raise InvalidInput(f"{target} is not empty; export into a new or empty folder.", code="export_target_not_empty")
        snap = await self._snapshot(principal, project_id)
        return await asyncio.to_thread(_write, snap, target, FileBlobStore.in_data_dir(self.ctx.settings.data_dir))

    @use_case(Need.manager, writes=False)
    async def export_zip(self, principal: Principal, project_id: str) -> Path:
        """The export as a ``.zip`` in a temporary file; the caller sends it and then deletes it."""
        snap = await self._snapshot(principal, project_id)
        blobs = FileBlobStore.in_data_dir(self.ctx.settings.data_dir)
        return await asyncio.to_thread(_zipped, snap, blobs)

    async def _snapshot(self, principal: Principal, project_id: str) -> _Snapshot:
        async with self.db.read() as session:
            access = await project_access(session, principal, project_id, now=self.now())
            project = access.project
            pages = list(await session.exec(
                select(Page).where(Page.project_id == project_id).order_by(col(Page.slug), col(Page.language))
            ))
            wanted = {p.live_revision_id if p.live_revision_id and not p.unpublished else p.draft_revision_id
                      for p in pages} - {None}
            revisions = {r.id: r for r in await session.exec(select(PageRevision).where(col(PageRevision.id).in_(wanted)))}
            images = list(await session.exec(
                select(Image).where(Image.project_id == project_id).order_by(col(Image.created_at), col(Image.id))
            ))
            groups, items = await load_navigation(session, project_id)
        rows = []
        for page in pages:
            live = page.live_revision_id if not page.unpublished else None
            revision = revisions.get(live or page.draft_revision_id or "")
            if revision is not None:
                rows.append((page, revision, live is None))
        # What the site shows: the navigation and theme of the last publish (the working ones before any).
        nav = project.published_nav if project.published_nav is not None else nav_snapshot(groups, items)
        theme = project.published_theme if project.published_theme is not None else project.theme
        return _Snapshot(project, rows, images, nav, dict(theme or {}))


def _not_empty(path: Path) -> bool:
    return path.exists() and (not path.is_dir() or any(path.iterdir()))


def _page_file(page: Page, default_locale: str, extension: str) -> str:
    suffix = "" if page.language == default_locale else f".{page.language}"
    return f"{page.slug}{suffix}.{extension}"


def _relink(text: str, here: str, paths: dict[str, str]) -> str:
    """Image references and media URLs as paths relative to the page's own file."""

    def swap(match: re.Match[str]) -> str:
        image_id = match.group(1) or match.group(2)
        found = paths.get(image_id)
        return posixpath.relpath(found, here or ".") if found else match.group(0)

    return _IMAGE_REF.sub(swap, text) if "img_" in text else text


def _write(snap: _Snapshot, target: Path, blobs: FileBlobStore) -> ExportSummary:
    project = snap.project
    locale = project.default_locale
    summary = ExportSummary(project.id)
    target.mkdir(parents=True, exist_ok=True)

    def put(rel: str, data: bytes | str) -> None:
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        summary.files.append(rel)

    image_paths = {}
    for image in snap.images:
        if not ID.fullmatch(image.id):
            continue
        rel = f"docs/images/{image.id}.{EXTENSIONS[image.format]}"
        put(rel, blobs.read(image.sha256))
        image_paths[image.id] = rel
        summary.images += 1
    custom_pages = []
    for page, revision, draft_only in snap.pages:
        if page.page_type == "custom":
            rel = "custom/" + _page_file(page, locale, "html")
            put(rel, _relink(revision.body_source or "", posixpath.dirname(rel), image_paths))
            custom_pages.append({"slug": page.slug, "language": page.language, "title": revision.title,
                                 "description": revision.description, "file": rel, "draft": draft_only})
            summary.custom_pages += 1
            continue
        rel = "docs/" + _page_file(page, locale, "md")
        front: dict[str, Any] = {"title": revision.title, "description": revision.description,
                                 "slug": "/" + page.slug, "language": page.language}
        if page.audience != "public":
            front["audience"] = page.audience  # the importer keeps it as metadata (it makes pages public)
        if draft_only:
            front["draft"] = True
            summary.drafts += 1
        front.update({k: v for k, v in (revision.page_metadata or {}).items() if k not in front})
        head = yaml.safe_dump(front, allow_unicode=True, sort_keys=False)
        put(rel, f"---\n{head}---\n\n{_relink(revision.content, posixpath.dirname(rel), image_paths)}")
        summary.pages += 1
    put("mkdocs.yml", yaml.safe_dump(_mkdocs(snap), allow_unicode=True, sort_keys=False))
    put("comstack.yml", yaml.safe_dump(
        {"project": {"name": project.name, "default_locale": locale}, "theme": snap.theme,
         "navigation": {"sidebar_groups": [{k: g[k] for k in ("title", "icon", "page_slugs")}
                                           for g in snap.nav.get("sidebar_groups", [])],
                        "header_nav_items": [{k: i[k] for k in ("label", "target")}
                                             for i in snap.nav.get("header_nav_items", [])]},
         "custom_pages": custom_pages},
        allow_unicode=True, sort_keys=False,
    ))
    return summary


def _mkdocs(snap: _Snapshot) -> dict[str, Any]:
    locale = snap.project.default_locale
    files = {p.slug: _page_file(p, locale, "md") for p, _, _ in snap.pages
             if p.page_type != "custom" and p.language == locale}
    nav = []
    for group in snap.nav.get("sidebar_groups", []):
        title = group["title"].get(locale) or next(iter(group["title"].values()), "Pages")
        entries = [files[slug] for slug in group["page_slugs"] if slug in files]
        if entries:
            nav.append({title: entries})
    return {"site_name": snap.project.name, "docs_dir": "docs", "nav": nav}


def _zipped(snap: _Snapshot, blobs: FileBlobStore) -> Path:
    work = Path(tempfile.mkdtemp(prefix="comstack-export-"))
    try:
        _write(snap, work / "tree", blobs)
        handle, name = tempfile.mkstemp(prefix="comstack-export-", suffix=".zip")
        with open(handle, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted((work / "tree").rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(work / "tree").as_posix())
        return Path(name)
    finally:
        shutil.rmtree(work, ignore_errors=True)
