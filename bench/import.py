"""Benchmark of importing a docs tree, against our full build of the same pages.

Generates an MkDocs project of N Markdown files (front matter, headings, admonitions, tabs, code,
tables, relative links between pages, images, a nav of 10 sections), then in an embedded ComStack
(SQLite, a fresh data directory):

* ``plan``: reading the tree into an import plan (`read_tree`, no database);
* ``import``: the whole import as `comstack import --yes --approve` does it (`core.imports.import_tree`:
  read, compare, write every page, source record and sidebar group in one transaction);
* ``reimport``: the same tree again (nothing changes);
* ``publish``: the full publish of the imported pages (dry run, confirm, job), with its build step.

Target: the import takes no longer than our full build of the same pages.

    python bench/import.py --files 5000
    python bench/import.py --files 1000 5000 --json bench/results/import.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from comstack_core import Core, Principal, Settings
from comstack_core.importer import ImportLimits, ImportOptions, read_tree
from comstack_core.schemas import PlanUpdate, ProjectCreate, PublishConfirm, PublishRequest, UserCreate
from comstack_core.schemas.imports import ImportRequest

SECTIONS = 10
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
WORDS = ["install", "configure", "deploy", "server", "client", "token", "request", "response", "cache", "index", "page", "site", "theme", "search", "locale", "publish", "draft", "review", "template", "module", "project", "account", "key", "limit", "quota", "error", "retry", "backup"]


def _prose(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def _page(rng: random.Random, i: int, total: int) -> str:
    section = i % SECTIONS
    other = rng.randrange(total)
    parts = [
        f"---\ntitle: Page {i} {rng.choice(WORDS)}\ndescription: {_prose(rng, 12)}\ntags: [{rng.choice(WORDS)}]\n---",
        f"# Page {i}",
        _prose(rng, 60),
        f"See [page {other}](../s{other % SECTIONS}/p{other}.md#details) and [the start](../index.md).",
        f'!!! note "About {rng.choice(WORDS)}"\n    {_prose(rng, 25)}\n\n    ```sh\n    comstack {rng.choice(WORDS)}\n    ```',
        "## Details",
        "\n".join(f"- {_prose(rng, 8)}" for _ in range(5)),
        '=== "Linux"\n    apt install thing\n\n=== "macOS"\n    brew install thing',
        "| Option | Meaning |\n|---|---|\n" + "\n".join(f"| `{w}` | {_prose(rng, 6)} |" for w in rng.sample(WORDS, 4)),
        f"```python\ndef f{i}(x):\n    return x * {i}\n```",
        f"![diagram](../img/d{section}.png)" if i % 7 == 0 else _prose(rng, 20),
        _prose(rng, 80),
    ]
    return "\n\n".join(parts) + "\n"


def generate(root: Path, files: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    docs = root / "docs"
    (docs / "img").mkdir(parents=True)
    for s in range(SECTIONS):
        (docs / f"s{s}").mkdir()
        (docs / "img" / f"d{s}.png").write_bytes(PNG + bytes([s]))
    (docs / "index.md").write_text("# Start\n\nWelcome.\n")
    for i in range(files - 1):
        (docs / f"s{i % SECTIONS}" / f"p{i}.md").write_text(_page(rng, i, files - 1))
    nav = ["  - Home: index.md"]
    for s in range(SECTIONS):
        nav.append(f"  - Section {s}:")
        nav += [f"    - s{s}/p{i}.md" for i in range(s, files - 1, SECTIONS)]
    (root / "mkdocs.yml").write_text("site_name: Bench\nnav:\n" + "\n".join(nav) + "\n")


async def timed_import(base: Path, files: int) -> dict[str, float]:
    settings = Settings(data_dir=base / "data")
    async with Core.open(settings) as core:
        admin = Principal.system(door="script")
        user = await core.users.create_user(admin, UserCreate(email="bench@example.com"))
        who = await core.users.principal_for_user(user.id, door="script")
        project = await core.projects.create_project(who, ProjectCreate(name="Bench Docs"))
        await core.plans.update_plan(admin, project.id, PlanUpdate(tier="standard", quotas={"max_pages": files + 100}))
        out: dict[str, float] = {}
        start = time.perf_counter()
        report = await core.imports.import_tree(who, project.id, base, ImportRequest(approve=True))
        out["import"] = time.perf_counter() - start
        assert report.counts["create"] == files and report.counts["files_failed"] == 0, report.counts
        start = time.perf_counter()
        again = await core.imports.import_tree(who, project.id, base, ImportRequest(approve=True))
        out["reimport"] = time.perf_counter() - start
        assert again.written == [], again.counts
        start = time.perf_counter()
        dry = await core.publishing.publish(who, project.id, PublishRequest(project_name=project.name))
        confirmed = await core.publishing.publish_confirm(
            who, project.id, PublishConfirm(project_name=project.name, confirmation_token=dry.confirmation_token)
        )
        await core.runner.run_pending()
        out["publish"] = time.perf_counter() - start
        status = await core.publishing.publish_status(who, project.id, confirmed.publish_id)
        assert status.status == "succeeded", status.error
        out["build"] = float(status.timings.get("build", 0.0))
        out["check"] = float(status.timings.get("check", 0.0))
        return out


def run(files: int) -> dict[str, object]:
    base = Path(tempfile.mkdtemp(prefix="bench-import-"))
    try:
        generate(base, files)
        options = ImportOptions(limits=ImportLimits(max_files=files + 100))
        start = time.perf_counter()
        plan = read_tree(base, options)
        seconds = time.perf_counter() - start
        counts = plan.counts()
        assert counts["pages"] == files and counts["failed"] == 0, counts
        links = sum(len(p.links) for p in plan.pages)
        timed = asyncio.run(timed_import(base, files))
        return {
            "files": files, "plan_seconds": round(seconds, 3), "files_per_second": round(files / seconds),
            "pages": counts["pages"], "converted": counts["converted"], "images": counts["images"],
            "groups": counts["groups"], "links_resolved": links,
            **{f"{k}_seconds": round(v, 3) for k, v in timed.items()},
            "import_vs_build": round(timed["import"] / timed["build"], 2) if timed["build"] else None,
            "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        }
    finally:
        shutil.rmtree(base, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, nargs="+", default=[5000])
    parser.add_argument("--json", type=Path, help="write the results to this file")
    args = parser.parse_args()
    results = [run(n) for n in args.files]
    columns = ("files", "plan_seconds", "import_seconds", "reimport_seconds", "publish_seconds", "build_seconds",
               "check_seconds", "import_vs_build", "converted", "links_resolved", "images", "max_rss_mb")
    print(" ".join(f"{c.removesuffix('_seconds'):>10}" for c in columns))
    for r in results:
        print(" ".join(f"{r[c]!s:>10}" for c in columns))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"benchmark": "import", "results": results}, indent=2) + "\n")


if __name__ == "__main__":
    main()
