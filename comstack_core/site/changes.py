"""Which pages a build must render, told from the previous build's state at a cost that grows with
what changed, not with the site.

A page is rendered again when its own inputs changed (its key), when its locale's navigation
changed, or when what it shows of other pages changed: its sidebar window (only looked at for pages
in a sidebar group whose entries changed) and its links and hreflang alternates (only looked at when
some page appeared, went or moved, which the per-locale `places` digests tell).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from .model import BuildState, PageRecord
from .nav import Group, edges_and_home
from .render import Shared, context_hash
from .urls import Entry


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def places(shared: Shared) -> dict[str, str]:
    """Locale -> digest of where its pages are. Link resolution and alternates depend on nothing else
    of other pages (the base URL and locales are in the shared hash)."""
    rows: dict[str, list[str]] = {}
    for e in shared.index.entries:
        page = e.page
        rows.setdefault(page.language, []).append(f"{page.slug} {page.canonical_slug} {e.path} {e.md_file}")
    return {lang: _sha("\n".join(lines)) for lang, lines in rows.items()}


def group_digest(group: Group) -> str:
    return _sha("\n".join(f"{e.page.title}\0{e.path}" for e in group.entries))


def groups(shared: Shared) -> dict[str, str]:
    """'<locale>/<group index>' -> digest of the group's entries (title and path: what a sidebar
    window shows of them)."""
    out = {}
    for lang, nav in shared.navs.items():
        for n, group in enumerate(nav.groups):
            out[f"{lang}/{n}"] = group_digest(group)
    return out


@dataclass
class Plan:
    todo: list[Entry] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)  # html_file -> page key, for pages in todo
    kept: dict[str, PageRecord] = field(default_factory=dict)  # html_file -> record, for the rest
    # Locales whose site-wide files must be made again, by what changed in them: a page (or where
    # pages are), the navigation, or the page whose description summarises it in llms.txt.
    pages: set[str] = field(default_factory=set)
    navs: set[str] = field(default_factory=set)
    summaries: set[str] = field(default_factory=set)

    def changed(self) -> bool:
        return bool(self.pages or self.navs or self.summaries)


def plan(
    shared: Shared,
    previous: BuildState | None,
    now_places: dict[str, str],
    now_groups: dict[str, str],
    candidates: list[Entry] | None = None,
) -> Plan:
    """Sort the pages into those to render and those whose previous output stands. With `candidates`
    (the only pages that may have changed, no page having moved), only those and the members of
    sidebar groups whose entries changed are looked at; every other page stands."""
    out = Plan()
    index = shared.index
    if previous is None or previous.shared_hash != shared.shared_hash:
        out.todo = list(index.entries)
        out.keys = {e.html_file: e.page.key for e in out.todo}
        out.pages = set(shared.navs)
        out.navs = set(shared.navs)
        return out
    moved = previous.places != now_places
    if moved:
        # llms.txt lists the other locales, the sitemap every page's alternates.
        out.pages = set(shared.navs)
        out.navs = set(shared.navs)
    for lang, nav_hash in shared.nav_hashes.items():
        if previous.navs.get(lang) != nav_hash:
            out.navs.add(lang)
    for name, digest in now_groups.items():
        if previous.groups.get(name) != digest:
            out.navs.add(name.split("/", 1)[0])
    # A locale without a home page of its own summarises itself in llms.txt with the site's.
    homes: dict[str, list[str]] = {}
    for lang, nav in shared.navs.items():
        homes.setdefault(nav.home, []).append(lang)
    old_groups, old_pages = previous.groups, previous.pages
    # Pages outside a changed group that show something of it (previous/next links, home page cards).
    changed_groups: dict[str, set[int]] = {}
    for name, digest in now_groups.items():
        if old_groups.get(name) != digest:
            lang, number = name.split("/", 1)
            changed_groups.setdefault(lang, set()).add(int(number))
    nearby = {
        e.html_file: e
        for lang, numbers in changed_groups.items()
        for e in edges_and_home(shared.navs[lang], index, numbers)
    }
    looked = index.entries
    if candidates is not None:
        named = {e.html_file: e for e in candidates}
        for lang, numbers in changed_groups.items():
            for gi in sorted(numbers):
                for e in shared.navs[lang].groups[gi].entries:
                    named.setdefault(e.html_file, e)
        for key, e in nearby.items():
            named.setdefault(key, e)
        looked = list(named.values())
        out.kept = dict(old_pages)  # the pages looked at below are sorted again
    for entry in looked:
        page = entry.page
        lang = page.language
        key = page.key
        old = old_pages.get(entry.html_file)
        if old is None or old.input_hash != key or previous.navs.get(lang) != shared.nav_hashes[lang]:
            out.todo.append(entry)
            out.keys[entry.html_file] = key
            out.pages.add(lang)
            out.summaries.update(homes.get(entry.path, ()))
            out.kept.pop(entry.html_file, None)
            continue
        where = shared.navs[lang].group_of.get(entry.html_file)
        group = -1 if where is None else where[0]
        name = f"{lang}/{group}"
        if (
            moved
            or group != old.group
            or (group >= 0 and old_groups.get(name) != now_groups[name])
            or entry.html_file in nearby
        ) and context_hash(shared, entry) != old.context:
            out.todo.append(entry)
            out.keys[entry.html_file] = key
            out.pages.add(lang)
            out.kept.pop(entry.html_file, None)
            continue
        # A link written as a relative or site path leads where the index says; while no page moved,
        # it still leads where it did.
        if moved and any((index.resolve_href(entry, raw) or "") != new for raw, new in old.links.items()):
            out.todo.append(entry)
            out.keys[entry.html_file] = key
            out.pages.add(lang)
            out.kept.pop(entry.html_file, None)
            continue
        out.kept[entry.html_file] = old
    return out
