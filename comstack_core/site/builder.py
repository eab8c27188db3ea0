"""build_site: pages + config -> a directory of static files, incrementally when it can."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from .changes import Plan, groups, places, plan
from .context import make_shared
from .files import make_parent, remove_file, write_file
from .model import BuildResult, BuildState, PageRecord, SiteConfig, SitePage
from .pool import render_many
from .render import context_hash
from .sitewide import Needs, site_files


def _holds(out_dir: Path, previous: BuildState) -> bool:
    # A handful of stats, not one per page: a directory that lacks the previous build's site-wide
    # files (a fresh one, another site's) does not hold that build.
    return all(os.path.exists(out_dir / name) for name in previous.shared_files)


def _affected(work: Plan, needs: Needs | None) -> bool:
    if needs is None:
        return work.changed()
    lang = needs.locale
    return (
        (needs.pages and lang in work.pages)
        or (needs.nav and lang in work.navs)
        or (needs.summary and lang in work.summaries)
    )


def build_site(
    config: SiteConfig,
    pages: list[SitePage],
    out_dir: Path,
    previous: BuildState | None = None,
    *,
    workers: int | None = None,
) -> BuildResult:
    """Write the site for `pages` into `out_dir`.

    `previous` must be the state of the build out_dir holds (the caller keeps the two together; a
    directory without that build's site-wide files is built in full). Only pages whose inputs
    changed are rendered, only the site-wide files of locales where something changed are made,
    and files of pages that are gone are deleted; a change to the theme, header navigation, sidebar
    group titles, locales or the builder itself renders everything. `workers` caps the processes
    used for large builds (default: up to 2 CPUs); 1 renders in this process only.
    """
    started = time.perf_counter()
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    if previous is not None and not _holds(out_dir, previous):
        previous = None
    shared, assets = make_shared(config, pages)
    index = shared.index
    now_places, now_groups = places(shared), groups(shared)
    work = plan(shared, previous, now_places, now_groups)
    full = previous is None or previous.shared_hash != shared.shared_hash

    if workers is None:
        workers = min(
            2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        )
    by_key = {e.html_file: e for e in work.todo}
    made: dict[str, PageRecord] = {}
    written: list[str] = []
    for done in render_many(shared, work.todo, out_dir, workers):
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
        )
        written.extend(done.sizes)
    # In index order, whatever order the pages were rendered in, so equal builds give equal states.
    records = {e.html_file: made.get(e.html_file) or work.kept[e.html_file] for e in index.entries}

    old_files = {} if previous is None else previous.shared_files
    shared_files: dict[str, tuple[int, str]] = {}
    makers, sitemaps = site_files(shared, assets, records)
    outputs: dict[str, bytes] = {}
    for name, (needs, make) in makers.items():
        if name in old_files and not _affected(work, needs):
            shared_files[name] = old_files[name]  # nothing it shows changed: the file stands
        else:
            outputs[name] = make()
    if work.changed() or not any(name.startswith("sitemap") for name in old_files):
        outputs.update(sitemaps())
    else:
        shared_files.update((k, v) for k, v in old_files.items() if k.startswith("sitemap"))
    for name, data in outputs.items():
        meta = (len(data), hashlib.sha256(data).hexdigest())
        shared_files[name] = meta
        if old_files.get(name) != meta:
            path = str(out_dir / name)
            make_parent(path, set())
            write_file(path, data)
            written.append(name)

    state = BuildState(
        shared_hash=shared.shared_hash,
        pages=records,
        shared_files=dict(sorted(shared_files.items())),
        navs=dict(shared.nav_hashes),
        groups=now_groups,
        places=now_places,
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
