"""Header navigation and the sidebar, per locale.

Page size must not grow with the site: every page carries the compact list of group titles (one
link each, bounded by the number of groups) and only a window of its own group around itself. The
full tree of each locale goes to one shared file (nav/<locale>.json) that the site script loads
when a reader asks for the rest of a group.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .urls import Entry, SiteIndex

# Pages shown on each side of the current page in its sidebar group.
WINDOW = 12
_ICON = re.compile(r"[a-z0-9_]{1,60}")


def label_for(labels: Any, locale: str, default_locale: str, fallback: str) -> str:
    if isinstance(labels, dict):
        for key in (locale, default_locale):
            value = labels.get(key)
            if isinstance(value, str) and value.strip():
                return value
        for value in labels.values():
            if isinstance(value, str) and value.strip():
                return value
    elif isinstance(labels, str) and labels.strip():
        return labels
    return fallback


@dataclass
class Group:
    gid: str
    label: str
    icon: str | None
    entries: list[Entry] = field(default_factory=list)


@dataclass
class HeaderLink:
    label: str
    path: str | None  # site path of an internal target
    url: str | None  # absolute external URL


@dataclass
class LocaleNav:
    """Everything navigational that is the same for all pages of one locale."""

    locale: str
    groups: list[Group]
    group_of: dict[str, tuple[int, int]]  # html_file -> (group index, position in group)
    header: list[HeaderLink]
    home: str  # site path of the locale's home ('' when it has none: the site root)

    def fingerprint(self) -> list[Any]:
        return [
            [[g.gid, g.label, g.icon, g.entries[0].path] for g in self.groups],
            [[h.label, h.path, h.url] for h in self.header],
            self.home,
        ]

    def shared_json(self) -> dict[str, list[list[str]]]:
        """The shared navigation file: group id -> [[title, site path], ...]."""
        return {g.gid: [[e.page.title, e.path] for e in g.entries] for g in self.groups}


def locale_nav(index: SiteIndex, locale: str) -> LocaleNav:
    config = index.config
    groups: list[Group] = []
    group_of: dict[str, tuple[int, int]] = {}
    for n, raw in enumerate(config.sidebar_groups):
        gid = str(raw.get("id") or f"group-{n}")
        icon = raw.get("icon")
        group = Group(
            gid=gid,
            label=label_for(raw.get("title"), locale, config.default_locale, gid),
            icon=icon if isinstance(icon, str) and _ICON.fullmatch(icon) else None,
        )
        seen: set[str] = set()
        for slug in raw.get("page_slugs") or []:
            # Only pages that exist in this locale: a group never sends a reader to another language.
            entry = index.by_slug.get((locale, slug)) or index.by_canonical.get((locale, slug))
            if entry is None or entry.html_file in seen:
                continue
            seen.add(entry.html_file)
            group.entries.append(entry)
        if not group.entries:
            continue
        for pos, entry in enumerate(group.entries):
            group_of.setdefault(entry.html_file, (len(groups), pos))
        groups.append(group)
    header: list[HeaderLink] = []
    for n, raw in enumerate(config.header_nav):
        target = str(raw.get("target") or "")
        label = label_for(raw.get("label"), locale, config.default_locale, str(raw.get("id") or n))
        if target.startswith(("https://", "http://")):
            header.append(HeaderLink(label=label, path=None, url=target))
            continue
        slug = target.strip("/") or "index"
        entry = index.find(locale, slug)
        # A missing target still gets the URL it would have, so the link check names it.
        path = (
            entry.path
            if entry is not None
            else index.home_path(locale) + ("" if slug == "index" else slug + "/")
        )
        header.append(HeaderLink(label=label, path=path, url=None))
    home = index.home_path(locale)
    if home not in index.by_path:
        home = ""
    return LocaleNav(locale=locale, groups=groups, group_of=group_of, header=header, home=home)


@dataclass
class Sidebar:
    groups: list[Group]
    open_index: int | None
    window: list[Entry]
    more_before: bool
    more_after: bool
    current: str

    def fingerprint(self) -> list[Any]:
        # Only what this page shows of its group; the compact part is in LocaleNav.fingerprint.
        return [
            self.open_index,
            [[e.page.title, e.path] for e in self.window],
            self.more_before,
            self.more_after,
        ]


def sidebar_for(nav: LocaleNav, entry: Entry) -> Sidebar:
    where = nav.group_of.get(entry.html_file)
    if where is None:
        return Sidebar(nav.groups, None, [], False, False, entry.html_file)
    gi, pos = where
    entries = nav.groups[gi].entries
    lo, hi = max(0, pos - WINDOW), min(len(entries), pos + WINDOW + 1)
    return Sidebar(nav.groups, gi, entries[lo:hi], lo > 0, hi < len(entries), entry.html_file)


def neighbours(nav: LocaleNav, entry: Entry) -> tuple[Entry | None, Entry | None]:
    """Previous and next page in sidebar order, across group boundaries (None at either end, or for a
    page in no group)."""
    where = nav.group_of.get(entry.html_file)
    if where is None:
        return None, None
    gi, pos = where
    entries = nav.groups[gi].entries
    prev = entries[pos - 1] if pos > 0 else (nav.groups[gi - 1].entries[-1] if gi > 0 else None)
    nxt = (
        entries[pos + 1]
        if pos + 1 < len(entries)
        else (nav.groups[gi + 1].entries[0] if gi + 1 < len(nav.groups) else None)
    )
    # A page listed in two groups could meet itself at a group boundary.
    return (
        None if prev is None or prev.html_file == entry.html_file else prev,
        None if nxt is None or nxt.html_file == entry.html_file else nxt,
    )


# Page titles a home page card shows under its group's name.
CARD_TITLES = 3


def cards_fingerprint(nav: LocaleNav) -> list[Any]:
    """What a home page shows of each group besides its title and icon (those are in the shared hash)."""
    return [
        [g.entries[0].path, [e.page.title for e in g.entries[:CARD_TITLES]], len(g.entries)]
        for g in nav.groups
    ]


def edges_and_home(nav: LocaleNav, index: SiteIndex, changed: set[int]) -> list[Entry]:
    """Pages outside the changed groups (by index) that show something of them: the last page of the
    group before and the first of the group after (their previous/next links), and the locale's home
    page (its cards)."""
    out: list[Entry] = []
    for gi in changed:
        if gi > 0:
            out.append(nav.groups[gi - 1].entries[-1])
        if gi + 1 < len(nav.groups):
            out.append(nav.groups[gi + 1].entries[0])
    home = index.by_path.get(nav.home)
    if changed and home is not None and home.page.language == nav.locale:
        out.append(home)
    return out
