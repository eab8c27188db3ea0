"""Publishing benchmark: ComStack's whole publish (dry run + confirm + job) against MkDocs and Hugo on the
same Markdown files.

Generates a corpus of Markdown pages (front matter, headings, lists, code, tables, cross links) as files,
imports it into an embedded (SQLite) ComStack through the core's page store, approves every page, then
times, per size:

* a full publish: dry run + confirm + the job until it succeeds (promote 1..N drafts, build, gate, deploy,
  and seed the two idle deployment slots with hard-link copies of the new site);
* an incremental publish after editing one page: the first one after the full publish and the third one
  (each slot has then been built into once more; a slot takes the served build's changed files by hard
  links before building, so in both only the edited page is rendered and checked);
* ``mkdocs build`` (default ``mkdocs`` theme) at the sizes in ``--mkdocs`` (default 1,000);
* ``hugo`` (a minimal layout written into the temp dir) at the sizes in ``--hugo`` (default 1,000 and 5,000).

    .venv/bin/python bench/publish.py                      # 1,000 and 5,000 pages
    .venv/bin/python bench/publish.py --pages 1000 --profile out/   # pyinstrument HTML reports

Needs ``mkdocs`` (dev extra) and ``hugo`` (Debian package) on PATH for the comparisons; without them those
rows are skipped. Targets: our full build at 1,000 pages ≥ 5x faster than MkDocs; our full build at
5,000 pages within 2x of Hugo; an incremental publish after one edit ≤ 2 % of our full publish.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from comstack_core import Core, Principal, Settings
from comstack_core.models import Project
from comstack_core.schemas import (
    NavigationUpdate,
    PageRef,
    PageStatusUpdate,
    PageUpdate,
    PlanUpdate,
    ProjectCreate,
    PublishConfirm,
    PublishRequest,
    PublishStatus,
    SidebarGroupInput,
    UserCreate,
)
from comstack_core.services.editing import new_page
from comstack_core.services.navigation import MAX_GROUPS
from comstack_core.services.page_store.status import derive_status
from comstack_core.services.page_store.writes import Content, commit_draft

PER_SECTION = 100
WORDS = [
    "install",
    "configure",
    "deploy",
    "server",
    "client",
    "token",
    "request",
    "response",
    "cache",
    "index",
    "page",
    "site",
    "theme",
    "search",
    "locale",
    "publish",
    "draft",
    "review",
    "template",
    "module",
    "project",
    "account",
    "key",
    "limit",
    "quota",
    "error",
    "retry",
    "backup",
]
LANGS = {
    "python": 'import comstack\n\nclient = comstack.Client(token="abc")\nfor page in client.pages():\n'
    "    print(page.slug, page.title)\n",
    "javascript": "const res = await fetch('/api/pages', {headers: {Authorization: `Bearer ${token}`}});\n"
    "console.log(await res.json());\n",
    "bash": "curl -sS -H 'Authorization: Bearer $TOKEN' https://example.com/api/pages | jq '.[] | .slug'\n",
    "yaml": "site:\n  locale: en\n  theme:\n    primary: '#0b57d0'\n",
}


# -- the corpus ------------------------------------------------------------------------------------------


def slug_of(i: int) -> str:
    return "index" if i == 0 else f"section-{i // PER_SECTION}/page-{i}"


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def page_markdown(i: int, n: int, rng: random.Random) -> tuple[str, str, str]:
    """(title, description, body) of page i; links are relative .md links, as MkDocs wants them."""
    here = slug_of(i).rsplit("/", 1)[0] if i else ""

    def link(j: int) -> str:
        target = slug_of(j) + ".md"
        rel = os.path.relpath(target, here or ".")
        return f"[page {j}]({rel})"

    lang = rng.choice(list(LANGS))
    links = ", ".join(link(j) for j in rng.sample(range(n), k=min(3, n)) if j != i)
    body = [
        sentence(rng, 30) + f" See {links}.",
        "## Overview",
        "\n".join(f"- {sentence(rng, 8)}" for _ in range(5)),
        f"## Example\n\n```{lang}\n{LANGS[lang]}```",
        "## Options\n\n| Option | Default | Description |\n|---|---:|---|\n"
        + "\n".join(
            f"| `{rng.choice(WORDS)}` | {rng.randint(1, 99)} | {sentence(rng, 6)} |" for _ in range(4)
        ),
        "### Notes",
        sentence(rng, 40) + " Use **bold**, *emphasis*, `code` and ~~old~~ text.",
        "1. " + sentence(rng, 6) + "\n2. " + sentence(rng, 6),
    ]
    title = "Home" if i == 0 else f"Topic {i}: {rng.choice(WORDS)} {rng.choice(WORDS)}"
    return title, sentence(rng, 16), "\n\n".join(body) + "\n"


def write_corpus(n: int, root: Path, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    files = []
    for i in range(n):
        title, description, body = page_markdown(i, n, rng)
        path = root / (slug_of(i) + ".md")
        path.parent.mkdir(parents=True, exist_ok=True)
        # JSON strings are valid YAML scalars, so MkDocs and Hugo read the same front matter.
        path.write_text(
            f"---\ntitle: {json.dumps(title)}\ndescription: {json.dumps(description)}\n---\n\n{body}"
        )
        files.append(path)
    return files


def read_markdown(path: Path) -> tuple[dict[str, str], str]:
    text = path.read_text()
    _, head, body = text.split("---\n", 2)
    meta = {}
    for line in head.splitlines():
        key, _, value = line.partition(":")
        meta[key.strip()] = json.loads(value.strip())
    return meta, body.lstrip("\n")


# -- ComStack --------------------------------------------------------------------------------------------


async def import_corpus(core: Core, who: Principal, project_id: str, root: Path, files: list[Path]) -> None:
    """A small importer: every file becomes an approved draft, through the core's own page store (the same
    functions create-page and set-page-status use), many pages per transaction."""
    for start in range(0, len(files), 500):
        async with core.db.write() as session:
            project = await session.get_one(Project, project_id)
            for path in files[start : start + 500]:
                meta, body = read_markdown(path)
                slug = path.relative_to(root).with_suffix("").as_posix()
                page = await new_page(
                    session, project, slug, "en", "docs", "knowledge", who, core.ctx.clock()
                )
                content = Content(meta["title"], meta.get("description", ""), body, None, None, {})
                await commit_draft(
                    session, core.ctx, project, page, content, who, note="import", action="page.import"
                )
                page.draft_approved = True
                page.status = derive_status(page)
                session.add(page)


@dataclass
class Publish:
    wall: float
    status: PublishStatus
    cpu: float  # CPU seconds, this process and its descendants (wall time on a shared host is noisy)
    peak_rss_mb: float = 0.0  # this process (the server's part) during the publish, sampled every 50 ms
    peak_helpers_rss_mb: float = 0.0  # its child processes (the builder's helper) at the same samples
    dry_run_s: float = 0.0  # of ``wall``: the dry run (manifest and the check's build of the planned site)


def rss_mb(pid: int | str = "self") -> float:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    except (OSError, IndexError, ValueError):
        return 0.0


def descendants(pid: int | str) -> list[str]:
    """The pids of a process's descendants (Linux /proc: each thread lists the children it started)."""
    found: list[str] = []
    todo = [str(pid)]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                kids = (task / "children").read_text().split()
            except OSError:
                continue
            found += kids
            todo += kids
    return found


def children_rss_mb() -> float:
    """Resident memory of this process's descendants (the builder's helper and its fork server)."""
    return sum(rss_mb(kid) for kid in descendants(os.getpid()))


def cpu_of(pid: str) -> float | None:
    """A process's user + system CPU seconds so far (Linux /proc), None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class RssSampler:
    """The largest resident size seen while a block runs, of this process and of its children; and the CPU
    its descendants used meanwhile. The builder's helpers are children of the fork server, not of this
    process, so the CPU of reaped children (``getrusage``) never includes them: their CPU is read from
    /proc at each sample instead (what a helper does after its last sample, at most 50 ms, is missed)."""

    def __init__(self) -> None:
        self.peak = self.helpers = 0.0
        self._cpu_at_start: dict[str, float] = {}
        self._cpu_seen: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, rss_mb())
            self.helpers = max(self.helpers, children_rss_mb())
            self._sample_cpu()

    def _sample_cpu(self) -> None:
        for pid in descendants(os.getpid()):
            seconds = cpu_of(pid)
            if seconds is not None:
                self._cpu_seen[pid] = seconds

    @property
    def helpers_cpu(self) -> float:
        """CPU seconds the descendants used while the block ran."""
        return sum(seen - self._cpu_at_start.get(pid, 0.0) for pid, seen in self._cpu_seen.items())

    def __enter__(self) -> RssSampler:
        self._sample_cpu()
        self._cpu_at_start = dict(self._cpu_seen)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample_cpu()


def cpu_seconds() -> float:
    """This process's CPU seconds (its descendants' are sampled by ``RssSampler``)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def save_profile(profiler: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(profiler.output_html())
    print(f"--- {path.name}", file=sys.stderr)
    print(profiler.output_text(unicode=False, color=False, show_all=False)[:5000], file=sys.stderr)


def profile_job_threads(directory: Path) -> Callable[[], None]:
    """The build and the gate run in a worker thread, which the event-loop profiler does not see: give each
    call its own profiler (pyinstrument samples the thread that starts it). Returns what stops that."""
    from pyinstrument import Profiler

    from comstack_core.publishing import build

    calls = iter(range(1_000_000))
    originals = {name: getattr(build, name) for name in ("into_slot", "gate")}
    for name, original in originals.items():

        def wrapper(*args: Any, _original: Any = original, _name: str = name) -> Any:
            profiler = Profiler(async_mode="disabled")  # the event loop's profiler owns the async context
            profiler.start()
            try:
                return _original(*args)
            finally:
                profiler.stop()
                save_profile(profiler, directory / f"thread-{next(calls):02d}_{_name}.html")

        setattr(build, name, wrapper)

    def stop() -> None:
        for name, original in originals.items():
            setattr(build, name, original)

    return stop


@dataclass
class Result:
    pages: int
    import_s: float = 0.0
    full: Publish | None = None
    incremental: Publish | None = None
    steady: Publish | None = None
    site_mb: float = 0.0
    rss_after_mb: float = 0.0  # this process once the publishes are done (the caches a server keeps)
    load_average: tuple[float, float, float] = (0.0, 0.0, 0.0)  # when this size's runs ended
    search: dict[str, float] = field(default_factory=dict)
    mkdocs: float | None = None
    mkdocs_mb: float | None = None
    hugo: float | None = None
    hugo_mb: float | None = None
    notes: list[str] = field(default_factory=list)


async def timed_publish(core: Core, who: Principal, pid: str, name: str, profile_to: Path | None) -> Publish:
    profiler = None
    if profile_to is not None:
        from pyinstrument import Profiler

        profiler = Profiler(async_mode="enabled")
        profiler.start()
    started, cpu_started = time.perf_counter(), cpu_seconds()
    with RssSampler() as rss:
        dry = await core.publishing.publish(who, pid, PublishRequest(project_name=name))
        dry_run_s = time.perf_counter() - started
        confirmed = await core.publishing.publish_confirm(
            who, pid, PublishConfirm(project_name=name, confirmation_token=dry.confirmation_token)
        )
        await core.runner.run_pending()
        wall = time.perf_counter() - started
    cpu = cpu_seconds() - cpu_started + rss.helpers_cpu
    if profiler is not None and profile_to is not None:
        profiler.stop()
        save_profile(profiler, profile_to)
    status = await core.publishing.publish_status(who, pid, confirmed.publish_id)
    if status.status != "succeeded":
        raise SystemExit(f"publish {status.status}: {status.error}")
    return Publish(wall, status, cpu, rss.peak, rss.helpers, dry_run_s)


async def edit_one(core: Core, who: Principal, pid: str, name: str, slug: str, text: str) -> None:
    page = await core.pages.get_page(who, pid, PageRef(slug=slug))
    await core.editing.update_page(
        who, pid, PageRef(slug=slug), PageUpdate(base_version=page.version, content=page.content + text)
    )
    await core.pages.set_page_status(
        who, pid, PageRef(slug=slug), PageStatusUpdate(status="ready", project_name=name)
    )


def search_sizes(site: Path) -> dict[str, float]:
    """What the reader's search downloads, in KB: the shard list every query fetches first, the largest
    term shard (one word's postings are never split, so a common word's grows with the site), and their
    sum, which the heaviest one-word query downloads at least (before the document shards of its
    results). The reader site's budget is 300 KB a query (tests/core/site/test_site_weight.py)."""
    listing = site / "search" / "en.json"
    terms = [p.stat().st_size for p in (site / "search" / "en").glob("t*.json")]
    docs = [p.stat().st_size for p in (site / "search" / "en").glob("d-*.json")]
    biggest = max(terms, default=0)
    return {
        "list_kb": listing.stat().st_size / 1000 if listing.exists() else 0.0,
        "largest_term_shard_kb": biggest / 1000,
        "largest_doc_shard_kb": max(docs, default=0) / 1000,
        "heaviest_word_at_least_kb": (listing.stat().st_size + biggest) / 1000 if listing.exists() else 0.0,
        "index_mb": (sum(terms) + sum(docs)) / 1e6,
    }


def dir_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


async def run_comstack(n: int, work: Path, corpus: Path, files: list[Path], profile: Path | None) -> Result:
    result = Result(n)
    settings = Settings(data_dir=work / f"data-{n}", public_url="https://docs.example.com")
    async with Core.open(settings) as core:
        system = Principal.system(door="script")
        user = await core.users.create_user(system, UserCreate(email=f"bench{n}@example.com"))
        me = await core.users.principal_for_user(user.id, door="script")
        name = f"Bench {n}"
        project = await core.projects.create_project(me, ProjectCreate(name=name))
        pid = project.id
        await core.plans.update_plan(system, pid, PlanUpdate(tier="standard", quotas={"max_pages": n + 10}))
        started = time.perf_counter()
        await import_corpus(core, me, pid, corpus, files)
        # One sidebar group per section, up to the navigation's limit of groups; past it (more than 10,000
        # pages) neighbouring sections share a group, so every page is still in the sidebar.
        sections = sorted({slug_of(i).split("/")[0] for i in range(1, n)})
        per_group = -(-len(sections) // MAX_GROUPS)
        groups = [sections[k : k + per_group] for k in range(0, len(sections), per_group)]
        by_section: dict[str, list[str]] = {}
        for i in range(1, n):
            by_section.setdefault(slug_of(i).split("/")[0], []).append(slug_of(i))
        await core.navigation.update_navigation(
            me,
            pid,
            NavigationUpdate(
                sidebar_groups=[
                    SidebarGroupInput(
                        title={"en": " & ".join(s.replace("-", " ").title() for s in group)},
                        icon="menu_book",
                        page_slugs=[slug for s in group for slug in by_section[s]],
                    )
                    for group in groups
                ],
                header_nav_items=[],
            ),
        )
        result.import_s = time.perf_counter() - started

        def prof(tag: str) -> Path | None:
            return profile / f"publish-{n}-{tag}.html" if profile else None

        result.full = await timed_publish(core, me, pid, name, prof("full"))
        served = settings.sites_dir / pid / "current"
        result.site_mb = dir_mb(served.resolve())
        result.search = search_sizes(served.resolve())
        # The first publish after the full one builds into a slot the full one seeded; the third into the
        # slot the full one built, which first catches up with the served build.
        for k, slug in enumerate((slug_of(n // 2), slug_of(n // 3), slug_of(n // 4))):
            await edit_one(core, me, pid, name, slug, f"\nOne more paragraph ({k}).\n")
            done = await timed_publish(core, me, pid, name, prof(f"incremental-{k}"))
            if k == 0:
                result.incremental = done
        result.steady = done
        gc.collect()
        result.rss_after_mb = rss_mb()
    return result


# -- MkDocs and Hugo -------------------------------------------------------------------------------------


def run_mkdocs(corpus: Path, work: Path) -> tuple[float, float]:
    mkdocs = shutil.which("mkdocs") or str(Path(sys.executable).with_name("mkdocs"))
    work.mkdir(parents=True, exist_ok=True)
    config = work / "mkdocs.yml"
    out = work / "mkdocs-site"
    config.write_text(
        f"site_name: Bench\ndocs_dir: {corpus}\nsite_dir: {out}\ntheme:\n  name: mkdocs\nuse_directory_urls: true\n"
    )
    started = time.perf_counter()
    subprocess.run([mkdocs, "build", "-q", "-f", str(config)], check=True)
    return time.perf_counter() - started, dir_mb(out)


HUGO_LAYOUT = {
    "layouts/_default/baseof.html": '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
    "<title>{{ .Title }} · {{ .Site.Title }}</title>"
    '<meta name="description" content="{{ .Description }}"></head>\n<body>\n'
    '<header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a></header>\n'
    '<main>{{ block "main" . }}{{ end }}</main>\n</body></html>\n',
    "layouts/_default/single.html": '{{ define "main" }}<article><h1>{{ .Title }}</h1>{{ .Content }}</article>'
    "{{ end }}\n",
    "layouts/_default/list.html": '{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}<ul>{{ range .Pages }}'
    '<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}\n',
}


def run_hugo(corpus: Path, work: Path) -> tuple[float, float]:
    site = work / "hugo"
    shutil.rmtree(site, ignore_errors=True)
    for rel, text in HUGO_LAYOUT.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text)
    (site / "config.toml").write_text(
        'baseURL = "https://docs.example.com/"\ntitle = "Bench"\ndisableKinds = ["taxonomy", "term"]\n'
    )
    shutil.copytree(corpus, site / "content")
    (site / "content" / "index.md").rename(site / "content" / "_index.md")  # Hugo's home page
    started = time.perf_counter()
    subprocess.run(["hugo", "--quiet", "-s", str(site)], check=True)
    return time.perf_counter() - started, dir_mb(site / "public")


# -- report ----------------------------------------------------------------------------------------------


def fmt(x: float | None, unit: str = "s") -> str:
    return "—" if x is None else (f"{x:.2f} {unit}" if unit else f"{x:.1f}")


def report(results: list[Result]) -> None:
    cols = [f"{r.pages:,} pages" for r in results]
    rows: list[tuple[str, list[str]]] = []

    def add(label: str, get: Callable[[Result], str]) -> None:
        rows.append((label, [get(r) for r in results]))

    def t(p: Publish | None, key: str) -> float | None:
        return None if p is None else p.status.timings.get(key)

    add("import (page store, approve)", lambda r: fmt(r.import_s))
    add("ComStack full publish, wall", lambda r: fmt(r.full.wall if r.full else None))
    add("  CPU (with helper processes)", lambda r: fmt(r.full.cpu if r.full else None))
    add("  dry run (with the check's build)", lambda r: fmt(r.full.dry_run_s if r.full else None))
    for key in ("promote", "translate", "build", "check", "seed"):
        add(f"  {key}", lambda r, k=key: fmt(t(r.full, k)))
    add("  site size", lambda r: fmt(r.site_mb, "MB"))
    add("  time per page", lambda r: fmt(1000 * r.full.wall / r.pages if r.full else None, "ms"))
    add(
        "  peak RSS, this process / helpers",
        lambda r: f"{r.full.peak_rss_mb:.0f} / {r.full.peak_helpers_rss_mb:.0f} MB" if r.full else "—",
    )
    add("RSS after the publishes", lambda r: fmt(r.rss_after_mb, "MB"))
    add("search: list + largest term shard", lambda r: fmt(r.search.get("heaviest_word_at_least_kb"), "KB"))
    add("ComStack incremental (1 edit), wall", lambda r: fmt(r.incremental.wall if r.incremental else None))
    add("  CPU", lambda r: fmt(r.incremental.cpu if r.incremental else None))
    for key in ("promote", "build", "check"):
        add(f"  {key}", lambda r, k=key: fmt(t(r.incremental, k)))
    add(
        "  pages rendered",
        lambda r: str(r.incremental.status.counts.rendered) if r.incremental else "—",
    )
    add("ComStack incremental, steady state, wall", lambda r: fmt(r.steady.wall if r.steady else None))
    add("  CPU", lambda r: fmt(r.steady.cpu if r.steady else None))
    for key in ("build", "check"):
        add(f"  {key}", lambda r, k=key: fmt(t(r.steady, k)))
    add("  pages rendered", lambda r: str(r.steady.status.counts.rendered) if r.steady else "—")
    add("MkDocs build (mkdocs theme)", lambda r: fmt(r.mkdocs))
    add("  site size", lambda r: fmt(r.mkdocs_mb, "MB"))
    add("Hugo build (minimal layout)", lambda r: fmt(r.hugo))
    add("  site size", lambda r: fmt(r.hugo_mb, "MB"))

    def ratio(a: float | None, b: float | None) -> str:
        return "—" if not a or not b else f"{a / b:.2f}x"

    def pct(a: float | None, b: float | None) -> str:
        return "—" if a is None or not b else f"{100 * a / b:.2f} %"

    add("MkDocs / our build step (target ≥ 5x)", lambda r: ratio(r.mkdocs, t(r.full, "build")))
    add("MkDocs / our full publish", lambda r: ratio(r.mkdocs, r.full.wall if r.full else None))
    add("our build step / Hugo (target ≤ 2x)", lambda r: ratio(t(r.full, "build"), r.hugo))
    add("our full publish / Hugo", lambda r: ratio(r.full.wall if r.full else None, r.hugo))
    add(
        "incremental / full publish wall (≤ 2 %)",
        lambda r: pct(r.incremental.wall if r.incremental else None, r.full.wall if r.full else None),
    )
    add(
        "steady incremental / full publish wall",
        lambda r: pct(r.steady.wall if r.steady else None, r.full.wall if r.full else None),
    )
    add("incremental build / full build step", lambda r: pct(t(r.incremental, "build"), t(r.full, "build")))
    width = max(len(label) for label, _ in rows) + 2
    print("".ljust(width) + "".join(c.rjust(14) for c in cols))
    for label, values in rows:
        print(label.ljust(width) + "".join(v.rjust(14) for v in values))
    for r in results:
        for note in r.notes:
            print(f"note ({r.pages}): {note}")


def figures(r: Result) -> dict[str, Any]:
    return {
        "pages": r.pages,
        "import_s": r.import_s,
        **{
            f"{k}_{m}": v
            for k in ("full", "incremental", "steady")
            if (p := getattr(r, k)) is not None
            for m, v in {"wall_s": p.wall, "dry_run_s": p.dry_run_s, **p.status.timings}.items()
        },
        "site_mb": r.site_mb,
        "full_ms_per_page": 1000 * r.full.wall / r.pages if r.full else None,
        "full_peak_rss_mb": r.full.peak_rss_mb if r.full else None,
        "full_peak_helpers_rss_mb": r.full.peak_helpers_rss_mb if r.full else None,
        "rss_after_mb": r.rss_after_mb,
        "load_average": r.load_average,
        **{f"search_{k}": v for k, v in r.search.items()},
        "mkdocs_s": r.mkdocs,
        "mkdocs_mb": r.mkdocs_mb,
        "hugo_s": r.hugo,
        "hugo_mb": r.hugo_mb,
    }


async def main_async(args: argparse.Namespace) -> list[Result]:
    results = []
    with tempfile.TemporaryDirectory(prefix="comstack-bench-") as tmp:
        work = Path(tmp)
        for n in args.pages:
            corpus = work / f"corpus-{n}"
            files = write_corpus(n, corpus)
            print(f"[{n}] corpus written: {len(files)} files", file=sys.stderr)
            result = await run_comstack(n, work, corpus, files, args.profile)
            print(f"[{n}] ComStack done: full {result.full.wall if result.full else 0:.2f}s", file=sys.stderr)
            if n in args.mkdocs:
                if shutil.which("mkdocs") or Path(sys.executable).with_name("mkdocs").exists():
                    result.mkdocs, result.mkdocs_mb = run_mkdocs(corpus, work / f"mk-{n}")
                else:
                    result.notes.append("mkdocs not installed: pip install mkdocs")
            if n in args.hugo:
                if shutil.which("hugo"):
                    result.hugo, result.hugo_mb = run_hugo(corpus, work / f"hugo-{n}")
                else:
                    result.notes.append("hugo not installed: apt-get install hugo")
            result.load_average = os.getloadavg()
            results.append(result)
            if args.json:  # after each size, so a long run that dies later keeps what it measured
                args.json.write_text(json.dumps([figures(r) for r in results], indent=2))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--mkdocs", type=int, nargs="*", default=[1000], help="sizes to run MkDocs at")
    parser.add_argument("--hugo", type=int, nargs="*", default=[1000, 5000], help="sizes to run Hugo at")
    parser.add_argument("--profile", type=Path, default=None, help="write pyinstrument reports into this dir")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    args = parser.parse_args()
    if args.profile:
        profile_job_threads(args.profile)
    results = asyncio.run(main_async(args))
    report(results)


if __name__ == "__main__":
    main()
