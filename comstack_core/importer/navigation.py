"""Sidebar groups in the source's order: MkDocs `nav`, or the folder tree ordered by weight / position.

ComStack's sidebar is one level of groups, each an ordered list of pages. Top-level nav sections
(or top-level folders) become groups; deeper sections are flattened into their group in order;
top-level pages outside any section gather in a group of their own.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from .model import Note, PlannedGroup
from .paths import humanize
from .sources import NavItem

MAX_GROUPS = 100
MAX_TITLE = 80


@dataclass(slots=True)
class NavPage:
    rel: str  # relative to the content root
    slug: str
    title: str
    order: float | None
    is_index: bool


@dataclass(slots=True)
class FolderInfo:
    label: str | None = None
    position: float | None = None


def _title(text: str) -> str:
    text = " ".join(text.split()) or "Pages"
    return text if len(text) <= MAX_TITLE else text[: MAX_TITLE - 1].rstrip() + "…"


def from_nav(
    nav: list[NavItem], pages: dict[str, NavPage], known: set[str], site_name: str | None, icon: str,
    notes: list[Note],
) -> tuple[list[PlannedGroup], set[str]]:
    """Groups from MkDocs nav; also returns the files it placed. `known` holds every file of the docs
    folder, so that a nav entry naming a file that failed is told apart from one naming nothing."""
    groups: list[PlannedGroup] = []
    placed: set[str] = set()
    loose: list[str] = []

    def flush() -> None:
        if loose:
            groups.append(PlannedGroup(_title(site_name or "Overview"), list(dict.fromkeys(loose)), icon, "nav"))
            loose.clear()

    def collect(items: list[NavItem], into: list[str]) -> None:
        for item in items:
            if item.children:
                collect(item.children, into)
            elif item.target is not None:
                slug = _nav_target(item, pages, known, notes)
                if slug is not None:
                    into.append(slug)
                    placed.add(posixpath.normpath(item.target.lstrip("/")))

    for item in nav:
        if item.children:
            flush()
            slugs: list[str] = []
            collect(item.children, slugs)
            if slugs:
                groups.append(PlannedGroup(_title(item.title or "Pages"), list(dict.fromkeys(slugs)), icon, "nav"))
            else:
                notes.append(Note(None, "info", "nav_empty", f"nav section {item.title!r} has no imported page."))
        elif item.target is not None:
            collect([item], loose)
    flush()
    return _capped(groups, notes), placed


def _nav_target(item: NavItem, pages: dict[str, NavPage], known: set[str], notes: list[Note]) -> str | None:
    target = item.target or ""
    if "://" in target or target.startswith(("mailto:", "//")):
        notes.append(
            Note(None, "info", "nav_link", f"nav link {item.line_hint!r} is a URL, not a page; add it to the "
                 "header navigation if it should stay.")
        )
        return None
    rel = posixpath.normpath(target.lstrip("/"))
    page = pages.get(rel)
    if page is not None:
        return page.slug
    if rel in known:
        notes.append(Note(None, "link", "nav_not_imported", f"nav entry {item.line_hint!r} names a file that was "
                          "not imported (see its line in the file report)."))
    else:
        notes.append(Note(None, "link", "nav_missing", f"nav entry {item.line_hint!r} names a file that does not "
                          "exist in the docs folder."))
    return None


def _page_key(page: NavPage) -> tuple[bool, float, str]:
    return (not page.is_index, page.order if page.order is not None else float("inf"), page.rel.lower())


def from_folders(
    pages: list[NavPage], folders: dict[str, FolderInfo], site_name: str | None, icon: str, notes: list[Note]
) -> list[PlannedGroup]:
    """Groups from the folder tree: root pages first, then one group per top-level folder."""
    tree: dict[str, list[NavPage]] = {}
    for page in pages:
        tree.setdefault(posixpath.dirname(page.rel), []).append(page)

    def folder_order(path: str) -> tuple[float, str]:
        info = folders.get(path)
        index = next((p for p in tree.get(path, ()) if p.is_index), None)
        order = info.position if info and info.position is not None else (index.order if index else None)
        return (order if order is not None else float("inf"), posixpath.basename(path).lower())

    def subfolders(path: str) -> list[str]:
        prefix = path + "/" if path else ""
        found = {
            prefix + folder[len(prefix) :].split("/", 1)[0]
            for folder in tree
            if folder and folder != path and folder.startswith(prefix)
        }
        return sorted(found, key=folder_order)

    def ordered(path: str) -> list[str]:
        # Pages and subfolders interleave by their order; a folder's index page comes first.
        entries: list[tuple[tuple[float, int, str], list[str]]] = []
        for page in tree.get(path, []):
            rank = -1.0 if page.is_index else (page.order if page.order is not None else float("inf"))
            entries.append(((rank, 0, page.rel.lower()), [page.slug]))
        for sub in subfolders(path):
            order, name = folder_order(sub)
            entries.append(((order, 1, name), ordered(sub)))
        entries.sort(key=lambda e: e[0])
        return [slug for _, slugs in entries for slug in slugs]

    groups: list[PlannedGroup] = []
    root_pages = [p.slug for p in sorted(tree.get("", []), key=_page_key)]
    if root_pages:
        groups.append(PlannedGroup(_title(site_name or "Overview"), root_pages, icon, "/"))
    for folder in subfolders(""):
        slugs = ordered(folder)
        if not slugs:
            continue
        info = folders.get(folder)
        index = next((p for p in tree.get(folder, ()) if p.is_index), None)
        label = (info.label if info else None) or (index.title if index else None) or humanize(folder)
        groups.append(PlannedGroup(_title(label), list(dict.fromkeys(slugs)), icon, folder + "/"))
    return _capped(groups, notes)


def _capped(groups: list[PlannedGroup], notes: list[Note]) -> list[PlannedGroup]:
    if len(groups) <= MAX_GROUPS:
        return groups
    notes.append(
        Note(None, "info", "groups_merged", f"{len(groups)} sidebar groups is over the {MAX_GROUPS} allowed; the "
             f"last {len(groups) - MAX_GROUPS + 1} were merged into one.")
    )
    kept = groups[: MAX_GROUPS - 1]
    rest = [slug for g in groups[MAX_GROUPS - 1 :] for slug in g.page_slugs]
    kept.append(PlannedGroup("More", list(dict.fromkeys(rest)), groups[-1].icon, "merged"))
    return kept
