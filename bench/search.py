"""search-docs latency over 10,000 generated pages, on the embedded default (SQLite FTS5) and PostgreSQL.

    .venv/bin/python bench/search.py [--pages 10000] [--queries 300] [--postgres URL | --no-postgres]
        [--json FILE]

Pages are created through the real services (so the index is built the way production builds it);
queries are timed through ``core.search.search_docs`` — the same function the MCP tool and REST route call.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from comstack_core import Core, Principal, Settings
from comstack_core.schemas import PageCreate, PlanUpdate, ProjectCreate, SearchQuery, UserCreate

WORDS = [
    "account",
    "billing",
    "invoice",
    "order",
    "shipping",
    "return",
    "refund",
    "password",
    "login",
    "signup",
    "email",
    "phone",
    "voice",
    "agent",
    "widget",
    "gadget",
    "sprocket",
    "install",
    "configure",
    "update",
    "upgrade",
    "plan",
    "trial",
    "quota",
    "limit",
    "error",
    "warning",
    "page",
    "draft",
    "publish",
    "template",
    "theme",
    "navigation",
    "sidebar",
    "header",
    "search",
    "index",
    "locale",
    "translate",
    "language",
    "api",
    "key",
    "token",
    "project",
    "member",
    "role",
    "manager",
    "editor",
    "viewer",
    "domain",
    "module",
    "webhook",
    "export",
    "import",
    "backup",
    "restore",
    "report",
]


def vocabulary(rng: random.Random, size: int = 20_000) -> list[str]:
    """Product words plus made-up ones; drawn with a Zipf-like skew so that, as in real text, a few words
    are everywhere and most are rare (a uniform 80-word corpus would make every query match every page)."""
    syllables = [
        "ka",
        "lo",
        "mi",
        "ren",
        "to",
        "sa",
        "vi",
        "dor",
        "el",
        "quin",
        "bra",
        "zu",
        "pe",
        "gal",
        "tor",
    ]
    made_up = {"".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(size)}
    return WORDS + sorted(made_up)


def draw(rng: random.Random, vocab: list[str], k: int) -> list[str]:
    if len(vocab) not in CUMULATIVE:
        CUMULATIVE[len(vocab)] = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(vocab))))
    return rng.choices(vocab, cum_weights=CUMULATIVE[len(vocab)], k=k)


CUMULATIVE: dict[int, list[float]] = {}


def page_text(rng: random.Random, vocab: list[str], n: int) -> tuple[str, str, str]:
    title = " ".join(draw(rng, vocab, 4)).capitalize() + f" {n}"
    description = " ".join(draw(rng, vocab, 14)).capitalize() + "."
    paragraphs = [" ".join(draw(rng, vocab, rng.randint(30, 60))) for _ in range(5)]
    content = f"# {title}\n\n" + "\n\n".join(paragraphs)
    return title, description, content


async def seed(core: Core, pages: int) -> tuple[Principal, str]:
    system = Principal.system(door="script")
    user = await core.users.create_user(system, UserCreate(email="bench@example.com"))
    me = await core.users.principal_for_user(user.id, door="script")
    project = await core.projects.create_project(me, ProjectCreate(name="Search bench"))
    await core.plans.update_plan(system, project.id, PlanUpdate(tier="standard", quotas={"max_pages": pages}))
    rng = random.Random(42)
    vocab = vocabulary(rng)
    started = time.perf_counter()
    for n in range(pages):
        title, description, content = page_text(rng, vocab, n)
        await core.editing.create_page(
            me,
            project.id,
            PageCreate(
                slug=f"section-{n % 50}/page-{n}", title=title, description=description, content=content
            ),
        )
    print(f"  seeded {pages} pages in {time.perf_counter() - started:.1f} s")
    return me, project.id


async def measure(core: Core, me: Principal, project_id: str, queries: int) -> dict[str, float]:
    rng = random.Random(7)
    vocab = vocabulary(random.Random(42))
    terms = [" ".join(draw(rng, vocab, rng.choice((1, 2)))) for _ in range(queries)]
    for term in terms[:20]:  # warm caches
        await core.search.search_docs(me, project_id, SearchQuery(query=term, include_drafts=True))
    timings = []
    for term in terms:
        started = time.perf_counter()
        await core.search.search_docs(me, project_id, SearchQuery(query=term, include_drafts=True, limit=10))
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "median_ms": statistics.median(timings),
        "p99_ms": timings[int(len(timings) * 0.99) - 1],
        "queries": len(timings),
    }


async def run(label: str, settings: Settings, pages: int, queries: int) -> dict[str, float]:
    print(f"{label}:")
    marker = settings.data_dir / f"search-bench-{pages}.txt"
    async with Core.open(settings) as core:
        if settings.database_url is None and marker.exists():  # reuse an embedded corpus seeded before
            user_id, project_id = marker.read_text().split()
            me = await core.users.principal_for_user(user_id, door="script")
        else:
            me, project_id = await seed(core, pages)
            if settings.database_url is None:
                marker.write_text(f"{me.user_id} {project_id}")
            else:
                # What autovacuum does soon after a bulk load; test servers often run with it off, and
                # without statistics the planner takes every full-text match for a rare one.
                async with core.db.write() as session:
                    await session.exec(text("ANALYZE"))  # type: ignore[call-overload]
        result = await measure(core, me, project_id, queries)
    print(
        f"  search-docs over {pages} pages, {result['queries']} queries: "
        f"median {result['median_ms']:.2f} ms, p99 {result['p99_ms']:.2f} ms"
    )
    return result


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument(
        "--postgres",
        default="postgresql+asyncpg://postgres@127.0.0.1:5432/comstack_bench",
        help="A database the benchmark may drop and recreate.",
    )
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument(
        "--data-dir", type=Path, help="Keep the embedded corpus here and reuse it on later runs."
    )
    parser.add_argument("--json", type=Path, help="Write the figures here.")
    args = parser.parse_args()
    figures: dict[str, float] = {"pages": args.pages, "queries": args.queries}
    if args.data_dir:
        embedded = await run(
            "embedded (SQLite FTS5)", Settings(data_dir=args.data_dir), args.pages, args.queries
        )
    else:
        with tempfile.TemporaryDirectory() as tmp:
            embedded = await run(
                "embedded (SQLite FTS5)", Settings(data_dir=Path(tmp)), args.pages, args.queries
            )
    figures.update(
        sqlite_median_ms=round(embedded["median_ms"], 2), sqlite_p99_ms=round(embedded["p99_ms"], 2)
    )
    if not args.no_postgres:
        import asyncpg

        admin_url = args.postgres.replace("+asyncpg", "").rsplit("/", 1)[0] + "/postgres"
        name = args.postgres.rsplit("/", 1)[1]
        conn = await asyncpg.connect(admin_url)
        await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await conn.execute(f"CREATE DATABASE {name}")
        await conn.close()
        server = await run(
            "server (PostgreSQL full-text)", Settings(database_url=args.postgres), args.pages, args.queries
        )
        figures.update(
            postgres_median_ms=round(server["median_ms"], 2), postgres_p99_ms=round(server["p99_ms"], 2)
        )
    figures["load_average"] = round(os.getloadavg()[0], 2)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    asyncio.run(main())
