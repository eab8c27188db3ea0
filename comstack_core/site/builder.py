"""build_site: pages + config -> a directory of static files, incrementally when it can."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from . import indexes
from .context import Assets, asset, make_shared
from .model import BuildResult, BuildState, PageRecord, SiteConfig, SitePage
from .pool import render_many
from .render import Shared, prepare, render_404, render_home
from .theme import ICON_FONT, ICON_LICENSE
from .urls import Entry, SiteIndex


def _write_if_changed(out_dir: Path, rel_path: str, data: bytes) -> bool:
    path = out_dir / rel_path
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def _remove(out_dir: Path, rel_path: str) -> bool:
    path = out_dir / rel_path
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    # Prune directories the deleted page leaves empty, never out_dir itself.
    parent = path.parent
    while parent != out_dir and out_dir in parent.parents:
        try:
            parent.rmdir()
        except OSError:
            break
        parent = parent.parent
    return True


def _reusable(index: SiteIndex, out_dir: Path, entry: Entry, record: PageRecord | None, digest: str) -> bool:
    if record is None or record.input_hash != digest:
        return False
    # The links the page made last time must still lead where they led (a target may have been
    # added, moved or removed), and its files must really be in out_dir.
    if any((index.resolve_href(entry, raw) or "") != new for raw, new in record.links.items()):
        return False
    return all(os.path.exists(out_dir / f) for f in record.files)


def build_site(
    config: SiteConfig,
    pages: list[SitePage],
    out_dir: Path,
    previous: BuildState | None = None,
    *,
    workers: int | None = None,
) -> BuildResult:
    """Write the site for `pages` into `out_dir`.

    With `previous` (the state of the build out_dir holds), only pages whose inputs changed are
    rendered and files of pages that are gone are deleted; a change to the theme, navigation,
    locales or the builder itself renders everything. `workers` caps the processes used for
    large builds (default: up to 2 CPUs); 1 renders in this process only.
    """
    started = time.perf_counter()
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    shared, assets = make_shared(config, pages)
    index = shared.index
    full = previous is None or previous.shared_hash != shared.shared_hash
    prev_pages = {} if previous is None or full else previous.pages

    records: dict[str, PageRecord] = {}
    todo: list[tuple[Entry, str]] = []
    for entry in index.entries:
        _sidebar, _alts, digest = prepare(shared, entry)
        old = prev_pages.get(entry.html_file)
        if old is not None and _reusable(index, out_dir, entry, old, digest):
            records[entry.html_file] = old
        else:
            todo.append((entry, digest))

    written: list[str] = []
    if workers is None:
        workers = min(
            2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        )
    for done in render_many(shared, todo, out_dir, workers):
        records[done.key] = PageRecord(
            input_hash=done.digest,
            files=sorted(done.sizes),
            bytes=sum(done.sizes.values()),
            links=done.links,
            excerpt=done.excerpt,
        )
        written.extend(done.sizes)

    shared_files = _shared_outputs(shared, records, assets)
    written.extend(name for name, data in shared_files.items() if _write_if_changed(out_dir, name, data))

    current = {f for r in records.values() for f in r.files} | set(shared_files)
    stale: set[str] = set()
    if previous is not None:
        stale = {f for r in previous.pages.values() for f in r.files} | set(previous.shared_files)
    removed = sorted(f for f in stale - current if _remove(out_dir, f))
    state = BuildState(
        shared_hash=shared.shared_hash,
        pages=records,
        shared_files={k: len(v) for k, v in shared_files.items()},
    )
    return BuildResult(
        state=state,
        rendered=len(todo),
        skipped=len(index.entries) - len(todo),
        written=sorted(written),
        removed=removed,
        total_bytes=sum(r.bytes for r in records.values()) + sum(state.shared_files.values()),
        duration_s=time.perf_counter() - started,
        full_rebuild=full,
    )


def _shared_outputs(shared: Shared, records: dict[str, PageRecord], assets: Assets) -> dict[str, bytes]:
    """Site-wide files, regenerated on every build (linear in the page count, no Markdown)."""
    index = shared.index
    config = index.config
    excerpts = {k: r.excerpt for k, r in records.items()}
    files: dict[str, bytes] = {
        assets.css_name: assets.css,
        assets.js_name: assets.js,
        f"assets/{ICON_FONT}": asset(ICON_FONT),
        f"assets/{ICON_LICENSE}": asset(ICON_LICENSE),
        "robots.txt": indexes.robots(index).encode(),
        "404.html": render_404(shared),
    }
    if "" not in index.by_path:
        files["index.html"] = render_home(shared)
    for name, text in indexes.sitemaps(index).items():
        files[name] = text.encode()
    languages = sorted(shared.navs)
    with_pages = {e.page.language for e in index.entries}
    for lang in languages:
        nav = shared.navs[lang]
        files[f"search/{lang}.json"] = indexes.search_index(index, lang, excerpts).encode()
        files[f"nav/{lang}.json"] = json.dumps(
            nav.shared_json(), ensure_ascii=False, separators=(",", ":")
        ).encode()
        # The default locale always gets llms.txt: every page's footer links to it.
        if lang not in with_pages and lang != config.default_locale:
            continue
        prefix = index.prefixes[lang]
        others = []
        if lang == config.default_locale:
            others = [
                (other, index.absolute(index.prefixes[other] + "llms.txt"))
                for other in languages
                if other != lang and other in with_pages
            ]
        files[f"{prefix}llms.txt"] = indexes.llms_txt(index, nav, others).encode()
        files[f"{prefix}llms-full.txt"] = indexes.llms_full(index, lang).encode()
    return files
