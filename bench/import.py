"""Benchmark of reading a docs tree into an import plan (comstack_core.importer).

Generates an MkDocs project of N Markdown files (front matter, headings, admonitions, tabs, code,
tables, relative links between pages, images, a nav of 10 sections) and times `read_tree` on it.
The comparison with a full site build of the same pages comes with the import's integration.

    python bench/import.py --files 5000
    python bench/import.py --files 1000 5000 --json bench/results/import.json
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from comstack_core.importer import ImportLimits, ImportOptions, read_tree

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
        return {
            "files": files, "seconds": round(seconds, 3), "files_per_second": round(files / seconds),
            "pages": counts["pages"], "converted": counts["converted"], "images": counts["images"],
            "groups": counts["groups"], "links_resolved": links,
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
    print(f"{'files':>7} {'seconds':>8} {'files/s':>8} {'converted':>9} {'links':>7} {'images':>6} {'rss MB':>7}")
    for r in results:
        print(f"{r['files']:>7} {r['seconds']:>8} {r['files_per_second']:>8} {r['converted']:>9} "
              f"{r['links_resolved']:>7} {r['images']:>6} {r['max_rss_mb']:>7}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"benchmark": "import", "results": results}, indent=2) + "\n")


if __name__ == "__main__":
    main()
