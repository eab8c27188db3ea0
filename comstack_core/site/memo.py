"""What a build leaves in memory for the next build in the same process (`BuildState.memo`).

The publishing service passes the same page objects again for every page that did not change, so the
next build can find the changed pages by identity and patch the previous build's index, navigation and
site-wide files instead of making them again from every page: its cost then follows the change, not the
site. Anything it cannot patch (another configuration, a page added, removed or moved, many changes)
sends the build down the ordinary path, which gives the same output.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .context import Assets
from .indexes import Parts
from .model import SiteConfig, SitePage
from .nav import Group, LocaleNav
from .render import Shared
from .search import TermIndex
from .urls import Entry, SiteIndex


@dataclass
class Memo:
    config: SiteConfig
    pages: dict[str, SitePage]  # page id -> the object the build was given
    shared: Shared
    assets: Assets
    positions: dict[str, int]  # html_file -> index in shared.index.entries
    groups: dict[str, list[tuple[str, int, int]]]  # html_file -> [(locale, group index, position)]
    files: dict[str, Parts] = field(default_factory=dict)  # site-wide files made of per-page pieces
    search: dict[str, TermIndex] = field(default_factory=dict)  # locale -> the search index's terms


def remember(config: SiteConfig, pages: list[SitePage], shared: Shared, assets: Assets) -> Memo:
    positions = {e.html_file: n for n, e in enumerate(shared.index.entries)}
    groups: dict[str, list[tuple[str, int, int]]] = {}
    for lang, nav in shared.navs.items():
        for gi, group in enumerate(nav.groups):
            for pos, e in enumerate(group.entries):
                groups.setdefault(e.html_file, []).append((lang, gi, pos))
    return Memo(config, {p.id: p for p in pages}, shared, assets, positions, groups)


def _placed(page: SitePage) -> tuple[str, ...]:
    # Everything that decides where a page is and what links, sidebars and alternates find.
    return (page.slug, page.language, page.canonical_slug, page.page_type)


def changed_pages(memo: Memo, config: SiteConfig, pages: list[SitePage]) -> list[SitePage] | None:
    """The pages that are not the objects the memo's build was given, or None when the memo cannot be
    patched for these inputs."""
    if len(pages) != len(memo.pages) or memo.config != config:
        return None
    changed = []
    known = memo.pages
    for page in pages:
        old = known.get(page.id)
        if old is page:
            continue
        if old is None or _placed(old) != _placed(page):
            return None
        changed.append(page)
    # Patching copies the index's tables once; past a few changes the ordinary path costs no more.
    return changed if len(changed) * 8 <= len(pages) + 8 else None


def patch(memo: Memo, config: SiteConfig, changed: list[SitePage]) -> tuple[Memo, list[Entry], set[str]]:
    """A memo whose index and navigation hold new entries for the changed pages (same places, so the
    same paths, order and navigation hashes); also the new entries and the sidebar groups
    ('<locale>/<index>') they are in."""
    old = memo.shared.index
    index = SiteIndex(
        config=config,
        base_url=old.base_url,
        prefixes=old.prefixes,
        entries=list(old.entries),
        by_slug=dict(old.by_slug),
        by_canonical=dict(old.by_canonical),
        by_path=dict(old.by_path),
        variants=dict(old.variants),
    )
    navs = {
        lang: LocaleNav(n.locale, list(n.groups), n.group_of, n.header, n.home)
        for lang, n in memo.shared.navs.items()
    }
    fresh: list[Entry] = []
    touched: set[str] = set()
    for page in changed:
        was = old.by_slug[(page.language, page.slug)]
        entry = Entry(
            page=page, path=was.path, html_file=was.html_file, md_file=was.md_file, prefix=was.prefix
        )
        fresh.append(entry)
        index.entries[memo.positions[was.html_file]] = entry
        index.by_slug[(page.language, page.slug)] = entry
        canonical = (page.language, page.canonical_slug or page.slug)
        if index.by_canonical.get(canonical) is was:
            index.by_canonical[canonical] = entry
        index.by_path[was.path] = entry
        variant = page.canonical_slug or page.slug
        if any(v is was for v in index.variants.get(variant, ())):
            index.variants[variant] = [entry if v is was else v for v in index.variants[variant]]
        for lang, gi, pos in memo.groups.get(was.html_file, ()):
            nav = navs[lang]
            group = nav.groups[gi]
            if group is memo.shared.navs[lang].groups[gi]:  # copied once per build
                group = nav.groups[gi] = Group(group.gid, group.label, group.icon, list(group.entries))
            group.entries[pos] = entry
            touched.add(f"{lang}/{gi}")
    shared = Shared(
        index=index,
        navs=navs,
        nav_hashes=memo.shared.nav_hashes,
        shared_hash=memo.shared.shared_hash,
        css=memo.shared.css,
        js=memo.shared.js,
        logo=memo.shared.logo,
        favicon=memo.shared.favicon,
        toggle=memo.shared.toggle,
        renderer=memo.shared.renderer,
    )
    pages = dict(memo.pages)
    pages.update((p.id, p) for p in changed)
    return Memo(config, pages, shared, memo.assets, memo.positions, memo.groups), fresh, touched
