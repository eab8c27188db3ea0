"""``comstack.yml``, the part of an export the Markdown does not carry: the theme, the header links, the
sidebar as published (titles per locale, icons) and the custom pages (their HTML files beside it). An import
of a tree that has one applies it after the Markdown pages: the custom pages first (the images their HTML
names are stored and named by their new URLs), then the navigation, which may name them, replacing the
project's, and the theme, merged — so an exported site comes back whole."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from ..auth import Principal
from ..errors import DomainError, InvalidInput, NotFound
from ..importer.model import FileReport
from ..schemas import CustomPageUpload, NavigationUpdate, PageRef, PageStatusUpdate, ThemeUpdate
from ..services.base import Context
from ..services.custom_pages import CustomPageService
from ..services.images import ImageService
from ..services.navigation import NavigationService
from ..services.pages import PageService

SITE_FILE = "comstack.yml"
# A relative path from a custom page's file into the export's images folder, as the export writes them.
_IMAGE_PATH = re.compile(r"(?:\.\./)*docs/images/[A-Za-z0-9_.-]+")


class CustomPageEntry(BaseModel):
    slug: str
    language: str
    title: str
    description: str
    file: str
    draft: bool = False


@dataclass
class SiteFile:
    navigation: NavigationUpdate | None
    theme: dict[str, Any]
    custom_pages: list[CustomPageEntry]


def read_site_file(root: Path) -> SiteFile | None:
    """The tree's ``comstack.yml``, checked before anything is imported; None when there is none."""
    path = Path(root) / SITE_FILE
    if not path.is_file():
        return None
    try:
        data = yaml.safe_load(path.read_text("utf-8")) or {}
        if not isinstance(data, dict):
            raise ValueError("it is not a mapping")
        nav = data.get("navigation")
        navigation = NavigationUpdate.model_validate(nav) if nav else None
        theme = data.get("theme") or {}
        ThemeUpdate.model_validate({**theme, "project_name": "-"})
        custom = [CustomPageEntry.model_validate(entry) for entry in data.get("custom_pages") or []]
        for entry in custom:
            if not _inside(Path(root), entry.file) or not entry.file.endswith(".html"):
                raise ValueError(f"custom page file {entry.file!r} is not an .html file inside the tree")
    except (ValueError, yaml.YAMLError, ValidationError) as error:
        raise InvalidInput(
            f"{SITE_FILE} cannot be read ({str(error).splitlines()[0]}); fix or remove it and import again.",
            code="site_file_invalid",
        ) from None
    return SiteFile(navigation, dict(theme), custom)


def _inside(root: Path, rel: str) -> bool:
    path = (root / rel).resolve()
    return not Path(rel).is_absolute() and path.is_relative_to(root.resolve()) and path.is_file()


async def apply_site_file(
    ctx: Context,
    images: ImageService,
    principal: Principal,
    project_id: str,
    project_name: str,
    site: SiteFile,
    root: Path,
    *,
    approve: bool,
    include_drafts: bool,
) -> list[FileReport]:
    """Apply the site file; returns how each custom page file went (a refused page does not stop the rest)."""
    files = []
    for entry in site.custom_pages:
        report = FileReport(entry.file, "imported", slug=entry.slug, language=entry.language)
        files.append(report)
        if entry.draft and not include_drafts:
            report.settle("skipped", "draft", "Marked as a draft in comstack.yml.")  # as the planner does
            continue
        try:
            html = (root / entry.file).read_text("utf-8")
        except UnicodeDecodeError:
            report.settle("failed", "not_utf8", "Not UTF-8 text; save it as UTF-8 and import again.")
            continue
        try:
            await _custom_page(ctx, images, principal, project_id, project_name, root, entry, html, approve)
        except DomainError as error:
            report.settle("failed", error.code, error.message)
    navigation = NavigationService(ctx)
    if site.navigation is not None:
        await navigation.update_navigation(principal, project_id, site.navigation)
    if site.theme:
        await navigation.update_theme(
            principal, project_id, ThemeUpdate.model_validate({**site.theme, "project_name": project_name})
        )
    return files


async def _custom_page(
    ctx: Context,
    images: ImageService,
    principal: Principal,
    project_id: str,
    project_name: str,
    root: Path,
    entry: CustomPageEntry,
    html: str,
    approve: bool,
) -> None:
    """One custom page from its HTML file: the images it names from the export's folder are stored (the same
    bytes as a Markdown page's give the same image) and named by their media URLs, as custom pages name
    images; an existing page is updated from the version it has."""
    here = posixpath.dirname(entry.file)
    urls: dict[str, str] = {}
    for found in sorted(set(_IMAGE_PATH.findall(html))):
        rel = posixpath.normpath(posixpath.join(here, found))
        if rel.startswith("docs/images/") and _inside(root, rel):
            stored = await images.store_image(principal, project_id, (root / rel).read_bytes())
            urls[found] = stored.url
    body = _IMAGE_PATH.sub(lambda match: urls.get(match.group(0), match.group(0)), html)
    pages, ref = PageService(ctx), PageRef(slug=entry.slug, language=entry.language)
    try:
        base_version: int | None = (await pages.get_page(principal, project_id, ref)).version
    except NotFound:
        base_version = None
    await CustomPageService(ctx).upload_custom_page(
        principal,
        project_id,
        CustomPageUpload(
            project_name=project_name,
            slug=entry.slug,
            language=entry.language,
            title=entry.title,
            description=entry.description,
            body=body,
            base_version=base_version,
        ),
    )
    if approve:
        await pages.set_page_status(
            principal, project_id, ref, PageStatusUpdate(status="ready", project_name=project_name)
        )
