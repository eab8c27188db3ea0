"""Benchmark of the static site builder (comstack_core.site).

Generates a synthetic documentation corpus (headings, lists, code, tables, cross links, 10 sidebar
groups), times a full build and an incremental rebuild after editing one page, and prints a table.

    python bench/site_build.py --pages 1000 5000
    python bench/site_build.py --pages 1000 --profile   # pyinstrument, if installed
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from comstack_core.site import BuildResult, SiteConfig, SitePage, build_site, check_site

GROUPS = 10
_VOCABULARY = """install configure deploy server client token request response cache index page site theme
search locale publish draft review template module project account key limit quota error retry backup"""
WORDS = _VOCABULARY.split()
LANGS = ["python", "javascript", "bash", "json", "yaml"]
SNIPPETS = {
    "python": (
        'import comstack\n\nclient = comstack.Client(token="abc")\n'
        "for page in client.pages():\n    print(page.slug, page.title)\n"
    ),
    "javascript": (
        "const res = await fetch('/api/pages', {headers: {Authorization: `Bearer ${token}`}});\n"
        "console.log(await res.json());\n"
    ),
    "bash": "curl -sS -H 'Authorization: Bearer $TOKEN' https://example.com/api/pages | jq '.[] | .slug'\n",
    "json": '{"slug": "guides/intro", "language": "en", "title": "Intro", "tags": ["a", "b"]}\n',
    "yaml": "site:\n  locale: en\n  theme:\n    primary: '#0b57d0'\n",
}


def _sentence(rng: random.Random, n: int = 14) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def _slug(i: int) -> str:
    return f"group-{i % GROUPS}/topic-{i}"


def make_page(i: int, n: int, rng: random.Random, edit: int = 0) -> SitePage:
    links = " ".join(f"See [topic {j}](/{_slug(j)}) for details." for j in rng.sample(range(n), k=min(3, n)))
    lang = rng.choice(LANGS)
    body = [
        f"# Topic {i}\n",
        _sentence(rng, 30) + " " + links + (f" Edited {edit}." if edit else "") + "\n",
        "## Overview\n",
        "\n".join(f"- {_sentence(rng, 8)}" for _ in range(5)) + "\n",
        f"## Example\n\n```{lang}\n{SNIPPETS[lang]}```\n",
        "## Options\n\n| Option | Default | Description |\n|---|---:|---|\n"
        + "\n".join(
            f"| `{rng.choice(WORDS)}` | {rng.randint(1, 99)} | {_sentence(rng, 6)} |" for _ in range(4)
        )
        + "\n",
        "### Notes\n",
        _sentence(rng, 40) + " Use **bold**, *emphasis*, `code` and ~~old~~ text.\n",
        "1. " + _sentence(rng, 6) + "\n2. " + _sentence(rng, 6) + "\n",
    ]
    return SitePage(
        id=f"p{i}",
        slug=_slug(i),
        language="en",
        title=f"Topic {i}: {rng.choice(WORDS)} {rng.choice(WORDS)}",
        description=_sentence(rng, 16),
        page_type="knowledge",
        content="\n".join(body),
        body_html=None,
        translatable_strings={},
        canonical_slug=_slug(i),
        doc_template_id="docs",
        schema_org_type="TechArticle",
        schema_org_fields={"keywords": "keywords"},
        metadata={"keywords": [rng.choice(WORDS), rng.choice(WORDS)]},
        updated_at=datetime(2025, 1, 1, tzinfo=UTC),
    )


def make_corpus(n: int, seed: int = 7) -> tuple[SiteConfig, list[SitePage]]:
    rng = random.Random(seed)
    pages = [make_page(i, n, rng) for i in range(n)]
    groups = [
        {
            "id": f"group-{g}",
            "title": {"en": f"Group {g}"},
            "icon": "menu_book",
            "page_slugs": [p.slug for p in pages if p.slug.startswith(f"group-{g}/")],
        }
        for g in range(GROUPS)
    ]
    config = SiteConfig(
        project_name="Bench Docs",
        project_slug="bench",
        base_url="https://docs.example.com/",
        default_locale="en",
        locales=["en"],
        theme={"colors": {"primary": "#0b57d0"}, "dark_mode": "auto"},
        sidebar_groups=groups,
        header_nav=[{"id": "gh", "label": {"en": "GitHub"}, "target": "https://github.com/example"}],
    )
    return config, pages


def _dir_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


Row = tuple[str, float, float, int, int]


def _cpu() -> float:
    # Wall time on a shared machine says little; CPU seconds (ours + helper processes') do not lie.
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def run(n: int, workdir: Path, workers: int | None) -> list[Row]:
    config, pages = make_corpus(n)
    out = workdir / f"site-{n}"
    shutil.rmtree(out, ignore_errors=True)
    rows: list[Row] = []
    c0 = _cpu()
    full: BuildResult = build_site(config, pages, out, workers=workers)
    c1 = _cpu()
    rows.append((f"full build ({n} pages)", full.duration_s, c1 - c0, full.rendered, _dir_bytes(out)))
    edited = list(pages)
    edited[n // 2] = replace(pages[n // 2], content=pages[n // 2].content + "\n\nOne more paragraph.\n")
    inc = build_site(config, edited, out, previous=full.state, workers=workers)
    c2 = _cpu()
    rows.append((f"incremental, 1 page edited ({n})", inc.duration_s, c2 - c1, inc.rendered, _dir_bytes(out)))
    t0 = time.perf_counter()
    problems = check_site(out, config.base_url)
    name = f"check_site ({n}){' FAILED' if problems else ''}"
    rows.append((name, time.perf_counter() - t0, _cpu() - c2, 0, 0))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument(
        "--profile", action="store_true", help="profile the first full build with pyinstrument"
    )
    parser.add_argument("--keep", type=Path, help="build here instead of a temporary directory")
    parser.add_argument(
        "--workers", type=int, default=None, help="processes for rendering (default: up to 2)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.keep or Path(tmp)
        if args.profile:
            from pyinstrument import Profiler

            config, pages = make_corpus(args.pages[0])
            with Profiler() as profiler:
                build_site(config, pages, workdir / "profile")
            profiler.print()
            return
        rows = [row for n in args.pages for row in run(n, workdir, args.workers)]
    print(f"{'step':<36} {'wall s':>7} {'CPU s':>7} {'rendered':>9} {'site MB':>8}")
    for name, secs, cpu, rendered, size in rows:
        mb = f"{size / 1e6:8.1f}" if size else f"{'':>8}"
        print(f"{name:<36} {secs:7.2f} {cpu:7.2f} {rendered:>9} {mb}")


if __name__ == "__main__":
    main()
