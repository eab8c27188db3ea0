"""Rendering the pages that need it, writing each page's files as soon as it is rendered.

Large builds use one helper process next to this one (2 CPUs is the target host). The caller's
process keeps rendering from the front of the list while the helper takes chunks from the back,
so the helper's start-up (a fresh interpreter: forkserver, because forking a threaded server is
unsafe) costs nothing when it is slow, and a small build never waits for it.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .files import make_parent, write_file
from .indexes import alternates
from .model import SiteConfig, SitePage
from .nav import sidebar_for
from .render import Shared, render_page
from .urls import Entry

PARALLEL_MIN_PAGES = 1500  # below this a helper's start-up (~1 s of imports) is not worth it
CHUNK = 64


@dataclass
class Done:
    key: str  # the page's HTML file
    sizes: dict[str, int]  # file -> bytes written
    links: dict[str, str]
    excerpt: str
    toc: list[tuple[int, str, str]]
    terms: str


def _render_one(shared: Shared, entry: Entry, out_dir: str, made: set[str]) -> Done:
    sidebar = sidebar_for(shared.navs[entry.page.language], entry)
    out = render_page(shared, entry, sidebar, alternates(shared.index, entry))
    sizes = {}
    for name, data in out.files.items():
        path = os.path.join(out_dir, name)
        make_parent(path, made)
        write_file(path, data)
        sizes[name] = len(data)
    return Done(entry.html_file, sizes, out.links, out.excerpt, out.toc, out.terms)


# -- helper process side ---------------------------------------------------------------------------
_worker: dict[str, object] = {}


def _init(config: SiteConfig, pages: list[SitePage], out_dir: str) -> None:
    from .context import make_shared

    shared, _assets = make_shared(config, pages)
    _worker.update(
        shared=shared, out_dir=out_dir, made=set(), by_key={e.html_file: e for e in shared.index.entries}
    )


def _run_chunk(chunk: list[str]) -> list[Done]:
    shared = _worker["shared"]
    by_key = _worker["by_key"]
    assert isinstance(shared, Shared) and isinstance(by_key, dict)
    out_dir, made = str(_worker["out_dir"]), _worker["made"]
    assert isinstance(made, set)
    return [_render_one(shared, by_key[key], out_dir, made) for key in chunk]


# -- caller side -------------------------------------------------------------------------------------
def _pool(shared: Shared, out: str, workers: int) -> ProcessPoolExecutor:
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(method)
    if method == "forkserver":
        # The fork server imports the builder once; every later helper forks from it ready to go.
        # Only effective before the server's first start, which is the first large build.
        ctx.set_forkserver_preload([__name__])
    pages = [e.page for e in shared.index.entries]
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=_init, initargs=(shared.index.config, pages, out)
    )


def _in_helpers(shared: Shared, todo: list[Entry], out: str, workers: int, made: set[str]) -> Iterator[Done]:
    chunks = [todo[i : i + CHUNK] for i in range(0, len(todo), CHUNK)]
    try:
        pool = _pool(shared, out, workers)
    except Exception:  # no processes allowed here: render in this one
        for entry in todo:
            yield _render_one(shared, entry, out, made)
        return
    try:
        futures: list[Future[list[Done]]] = []
        try:
            for chunk in chunks:
                futures.append(pool.submit(_run_chunk, [e.html_file for e in chunk]))
        except Exception:
            pass  # the pool broke while taking chunks: the ones it did not take are rendered here
        for n, chunk in enumerate(chunks):
            try:
                done = futures[n].result() if n < len(futures) else None
            except Exception:
                done = None  # a broken helper (killed, out of memory) must not fail the publish
            yield from done if done is not None else [_render_one(shared, e, out, made) for e in chunk]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def render_many(
    shared: Shared, todo: list[Entry], out_dir: Path, workers: int = 1, *, helpers_only: bool = False
) -> Iterator[Done]:
    """``helpers_only``: a large build renders in ``workers`` helper processes and none in this one, which
    only waits (a server's thread rendering would hold the interpreter's lock its requests need)."""
    made: set[str] = set()
    out = str(out_dir)
    if helpers_only and len(todo) >= PARALLEL_MIN_PAGES:
        yield from _in_helpers(shared, todo, out, max(1, workers), made)
        return
    if workers < 2 or len(todo) < PARALLEL_MIN_PAGES:
        for entry in todo:
            yield _render_one(shared, entry, out, made)
        return
    chunks = [todo[i : i + CHUNK] for i in range(0, len(todo), CHUNK)]
    futures: dict[int, Future[list[Done]]] = {}
    pool = _pool(shared, out, min(workers - 1, 1))
    try:
        try:
            for i in range(len(chunks) - 1, 0, -1):
                futures[i] = pool.submit(_run_chunk, [e.html_file for e in chunks[i]])
        except Exception:
            # No helper (no processes allowed, start-up failed): render everything here.
            for f in futures.values():
                f.cancel()
            futures = {}
        mine = 0
        # Take chunks from the front until we reach one the helper has already started.
        while mine < len(chunks) and (mine == 0 or mine not in futures or futures[mine].cancel()):
            for entry in chunks[mine]:
                yield _render_one(shared, entry, out, made)
            mine += 1
        for i in range(mine, len(chunks)):
            try:
                done = futures[i].result()
            except Exception:
                # A broken helper (killed, out of memory) must not fail the publish: redo its
                # chunk here. A real rendering error will simply raise again in this process.
                done = [_render_one(shared, e, out, made) for e in chunks[i]]
            yield from done
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
