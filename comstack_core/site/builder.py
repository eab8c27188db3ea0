"""build_site: pages + config -> a directory of static files, incrementally when it can."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from .changes import Plan, group_digest, groups, places, plan
from .context import make_shared
from .files import make_parent, remove_file, write_file
from .indexes import Parts
from .memo import Memo, changed_pages, patch, remember
from .model import BuildResult, BuildState, PageRecord, SiteConfig, SitePage
from .pool import render_many
from .render import Shared, context_hash
from .sitewide import Needs, SiteFile, search_files, search_names, site_files
from .urls import Entry


def _holds(out_dir: Path, previous: BuildState) -> bool:
    # A handful of stats, not one per page: a directory that lacks the previous build's site-wide
    # files (a fresh one, another site's) does not hold that build. The search index's shards (a few
    # hundred on a large site) are vouched for by their locale's shard list.
    return all(
        os.path.exists(out_dir / name)
        for name in previous.shared_files
        if not (name.startswith("search/") and name.count("/") > 1)
    )


def _affected(work: Plan, needs: Needs | None) -> bool:
    if needs is None:
        return work.changed()
    lang = needs.locale
    return (
        (needs.pages and lang in work.pages)
        or (needs.nav and lang in work.navs)
        or (needs.summary and lang in work.summaries)
    )


def _made(
    name: str, file: SiteFile, work: Plan, rendered: list[Entry], memo: Memo, known: Memo | None
) -> bytes:
    """The file's bytes: the previous build's parts with the rendered pages' pieces swapped in when
    that build's memo has them, else made in full. Parts are kept in the new memo."""
    made: bytes | Parts | None = None
    old = known.files.get(name) if known is not None else None
    needs = file.needs
    if old is not None and file.piece is not None and (needs is None or needs.locale not in work.summaries):
        piece, locale = file.piece, needs.locale if needs is not None else None
        made = old.swapped({e.html_file: piece(e) for e in rendered if locale in (None, e.page.language)})
    if made is None:
        made = file.make()
    if isinstance(made, Parts):
        memo.files[name] = made
        return made.text().encode()
    return made


def _search(
    shared: Shared,
    records: dict[str, PageRecord],
    work: Plan,
    rendered: list[Entry],
    old_files: dict[str, tuple[int, str]],
    memo: Memo,
    previous: BuildState | None,
    same_places: set[str],
    meta: dict[str, tuple[int, str]],
    outputs: dict[str, bytes],
) -> None:
    """The search index of each locale whose pages changed; `same_places`: locales whose pages kept their
    places since `previous`, so the previous build's term index can be patched."""
    prior = previous.memo if previous is not None and isinstance(previous.memo, Memo) else None
    for lang in sorted(shared.navs):
        old = search_names(old_files, lang)
        known = prior.search.get(lang) if prior is not None else None
        if old and not _affected(work, Needs(lang, pages=True)):
            meta.update((name, old_files[name]) for name in old)
            if known is not None:
                memo.search[lang] = known
            continue
        usable = known is not None and previous is not None and lang in same_places
        made, kept, terms = search_files(
            shared,
            lang,
            records,
            rendered,
            known if usable else None,
            previous.pages if usable and previous is not None else None,
            old_files,
        )
        memo.search[lang] = terms
        meta.update((name, old_files[name]) for name in kept)
        outputs.update(made)


def _site_wide(
    out_dir: Path,
    shared: Shared,
    records: dict[str, PageRecord],
    work: Plan,
    rendered: list[Entry],
    old_files: dict[str, tuple[int, str]],
    memo: Memo,
    known: Memo | None,
    previous: BuildState | None,
    same_places: set[str],
) -> tuple[dict[str, tuple[int, str]], list[str]]:
    """Make the site-wide files whose inputs changed and write those whose bytes differ from what
    `old_files` records (no file is read). Returns every site-wide file's (size, sha256) and the
    names written."""
    kept = known.files if known is not None else {}
    files, sitemaps, sitemap_row = site_files(shared, memo.assets, records)
    meta: dict[str, tuple[int, str]] = {}
    outputs: dict[str, bytes] = {}
    _search(shared, records, work, rendered, old_files, memo, previous, same_places, meta, outputs)
    for name, file in files.items():
        if name in old_files and not _affected(work, file.needs):
            meta[name] = old_files[name]  # nothing it shows changed: the file stands
            if name in kept:
                memo.files[name] = kept[name]
        else:
            outputs[name] = _made(name, file, work, rendered, memo, known)
    old_maps = {k: v for k, v in old_files.items() if k.startswith("sitemap")}
    if work.changed() or not old_maps:
        old_map = kept.get("sitemap.xml")
        if old_map is not None and old_map.slots and list(old_maps) == ["sitemap.xml"]:
            maps = {"sitemap.xml": old_map.swapped({e.html_file: sitemap_row(e) for e in rendered})}
        else:
            maps = sitemaps()
        for name, parts in maps.items():
            memo.files[name] = parts
            outputs[name] = parts.text().encode()
    else:
        meta.update(old_maps)
        memo.files.update((k, v) for k, v in kept.items() if k in old_maps)
    written = []
    for name, data in outputs.items():
        meta[name] = (len(data), hashlib.sha256(data).hexdigest())
        if old_files.get(name) != meta[name]:
            path = str(out_dir / name)
            make_parent(path, set())
            write_file(path, data)
            written.append(name)
    return dict(sorted(meta.items())), written


def build_site(
    config: SiteConfig,
    pages: list[SitePage],
    out_dir: Path,
    previous: BuildState | None = None,
    *,
    workers: int | None = None,
    helpers_only: bool = False,
) -> BuildResult:
    """Write the site for `pages` into `out_dir`.

    `previous` must be the state of the build out_dir holds (the caller keeps the two together; a
    directory without that build's site-wide files is built in full). Only pages whose inputs
    changed are rendered, only the site-wide files of locales where something changed are made,
    and files of pages that are gone are deleted; a change to the theme, header navigation, sidebar
    group titles, locales or the builder itself renders everything. `workers` caps the processes
    used for large builds (default: up to 2 CPUs); 1 renders in this process only. `helpers_only`: a
    large build renders in that many helper processes and none in this one (a server's thread).
    """
    started = time.perf_counter()
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    if previous is not None and not _holds(out_dir, previous):
        previous = None
    known = previous.memo if previous is not None and isinstance(previous.memo, Memo) else None
    changed = changed_pages(known, config, pages) if known is not None else None
    candidates: list[Entry] | None = None
    if previous is not None and known is not None and changed is not None:
        # Same configuration and places: patch the previous build's index and navigation.
        memo, candidates, touched = patch(known, config, changed)
        shared = memo.shared
        now_places, now_groups = previous.places, dict(previous.groups)
        for name in touched:
            lang, n = name.split("/", 1)
            now_groups[name] = group_digest(shared.navs[lang].groups[int(n)])
    else:
        known = None
        shared, assets = make_shared(config, pages)
        memo = remember(config, pages, shared, assets)
        now_places, now_groups = places(shared), groups(shared)
    index = shared.index
    work = plan(shared, previous, now_places, now_groups, candidates)
    full = previous is None or previous.shared_hash != shared.shared_hash

    if workers is None:
        workers = min(
            2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        )
    by_key = {e.html_file: e for e in work.todo}
    made: dict[str, PageRecord] = {}
    written: list[str] = []
    for done in render_many(shared, work.todo, out_dir, workers, helpers_only=helpers_only):
        entry = by_key[done.key]
        where = shared.navs[entry.page.language].group_of.get(done.key)
        made[done.key] = PageRecord(
            input_hash=work.keys[done.key],
            files=sorted(done.sizes),
            bytes=sum(done.sizes.values()),
            links=done.links,
            excerpt=done.excerpt,
            context=context_hash(shared, entry),
            group=-1 if where is None else where[0],
            toc=done.toc,
            terms=done.terms,
        )
        written.extend(done.sizes)
    # In index order, whatever order the pages were rendered in, so equal builds give equal states.
    if previous is not None and candidates is not None:
        records = dict(previous.pages)  # same pages in the same order
        records.update(made)
    else:
        records = {e.html_file: made.get(e.html_file) or work.kept[e.html_file] for e in index.entries}

    old_files = {} if previous is None else previous.shared_files
    rendered = [by_key[key] for key in made]
    same_places = set()
    if previous is not None and not full:
        same_places = {lang for lang, digest in now_places.items() if previous.places.get(lang) == digest}
    shared_files, changed_files = _site_wide(
        out_dir, shared, records, work, rendered, old_files, memo, known, previous, same_places
    )
    written.extend(changed_files)

    state = BuildState(
        shared_hash=shared.shared_hash,
        pages=records,
        shared_files=shared_files,
        navs=dict(shared.nav_hashes),
        groups=now_groups,
        places=now_places,
        memo=memo,
    )
    removed: list[str] = []
    if previous is not None:
        if previous.places == now_places:
            # No page appeared, went or moved, so only site-wide files can have gone.
            stale = set(old_files) - set(shared_files)
        else:
            stale = previous.files() - state.files()
        removed = sorted(f for f in stale if remove_file(out_dir, f))
    return BuildResult(
        state=state,
        rendered=len(work.todo),
        skipped=len(index.entries) - len(work.todo),
        written=sorted(written),
        removed=removed,
        total_bytes=sum(r.bytes for r in records.values()) + sum(s for s, _ in shared_files.values()),
        duration_s=time.perf_counter() - started,
        full_rebuild=full,
    )
