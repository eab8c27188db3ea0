"""PostgreSQL search ranks exactly as the obvious query does: every match ranked with ``ts_rank_cd``, best
first. The search statement is shaped for speed (keys through the sort, text read for the kept rows only,
snippets in Python); this holds it to the same top ten on a fixed query set, broad and narrow."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import text

from comstack_core.schemas import PageRef, PageUpdate, SearchQuery
from comstack_core.services.page_store import tsquery

from ..conftest import World
from .test_support import create_page, make_live

# A few words on almost every page, most on few (Zipf-like), so that broad queries rank many ties and
# near-ties, which is where a shortcut in the ranking would show.
VOCABULARY = ["account", "billing", "invoice", "refund", "login", "widget", "sprocket", "theme", "quota"] + [
    f"term{n}" for n in range(300)
]
WEIGHTS = [1 / (rank + 1) for rank in range(len(VOCABULARY))]
QUERIES = [
    "account",
    "billing",
    "account billing",
    "invoice refund",
    "acc",
    "term1",
    "term12",
    "widget term3",
    "sprocket",
    "theme quota",
    "term250",
    "login account widget",
]

OBVIOUS = (
    "SELECT s.page_id, ts_rank_cd('{0.1, 0.3, 0.6, 1.0}', s.tsv, q.q) AS score"
    " FROM page_search s, (SELECT to_tsquery('english', :q) || to_tsquery('simple', :q) AS q) q"
    " WHERE s.tsv @@ q.q AND s.project_id = :project ORDER BY score DESC, s.page_id, s.variant"
)


def words(rng: random.Random, k: int) -> str:
    return " ".join(rng.choices(VOCABULARY, weights=WEIGHTS, k=k))


@pytest.mark.parametrize("backend", ["postgres"])
async def test_top_ten_equals_ranking_every_match(world: World) -> None:
    core, pid = world.core, world.project_id
    rng = random.Random(17)
    for n in range(120):
        page = await create_page(
            world,
            f"guide-{n}",
            title=words(rng, 3).capitalize() + f" {n}",
            description=words(rng, 10),
            content="\n\n".join(words(rng, rng.randint(20, 60)) for _ in range(3)),
        )
        if n % 3 == 0:  # some pages live with a different draft on top: both variants are searched
            await make_live(core, page.path)
            await core.editing.update_page(
                world.editor,
                pid,
                PageRef(path=page.path),
                PageUpdate(base_version=page.version + 1, content=words(rng, 40)),
            )
    broad = 0
    for query in QUERIES:
        found = await core.search.search_docs(
            world.editor, pid, SearchQuery(query=query, include_drafts=True)
        )
        tsquery = " & ".join(query.split()) + ":*"
        async with core.db.read() as session:
            rows = (await session.exec(text(OBVIOUS).bindparams(q=tsquery, project=pid))).all()  # type: ignore[call-overload]
        broad += len(rows) > 60
        expected: list[tuple[str, float]] = []
        for page_id, score in rows:
            if page_id not in [p for p, _ in expected]:
                expected.append((page_id, score))
        assert [(hit.path, round(hit.score, 5)) for hit in found.hits] == [
            (page_id, round(score, 5)) for page_id, score in expected[:10]
        ], query
    assert broad >= 3  # the set includes queries matching most pages


# Stop words, words the English stemmer shortens (so the configurations' queries differ) and words sharing
# stems and prefixes: the cases where the smaller query drops, keeps or factors operands.
TRICKY = ["the", "a", "of", "billing", "bill", "bills", "navigation", "navigate", "running", "run", "update"]
TRICKY += ["updates", "shipping", "ship", "account", "accounts", "invoice", "invoic", "theme", "foo_bar"]
# A stop word between words one configuration keeps as they are: the stop word's positions count in the
# other words' covers, so the query that has it must not be dropped.
FIXED = [
    "account & the & billing",
    "ship & a & invoice",
    "account & of & theme",
    "the & account",
    "navigation & ship",
]


@pytest.mark.parametrize("backend", ["postgres"])
async def test_the_smaller_query_matches_and_ranks_every_page_alike(world: World) -> None:
    """The query search-docs ranks with (``tsquery.reduced``) against the OR of the configurations' queries,
    on tsvectors built in English and in 'simple' (another language), for every one, not just a top ten."""
    rng = random.Random(29)
    documents = [
        (config, " ".join(rng.choices(TRICKY, k=rng.randint(3, 40))))
        for config in ("english", "simple")
        for _ in range(150)
    ]
    values = ", ".join(f"(:c{i}, :d{i})" for i in range(len(documents)))
    docs = {f"c{i}": c for i, (c, _) in enumerate(documents)} | {
        f"d{i}": d for i, (_, d) in enumerate(documents)
    }
    compare = (
        "WITH docs AS (SELECT setweight(to_tsvector(CAST(c AS regconfig), d), 'A') || to_tsvector('simple', d)"
        f" AS tsv FROM (VALUES {values}) v (c, d)),"
        " q AS (SELECT {full} AS full_q, CAST(:smaller AS tsquery) AS small_q)"
        " SELECT count(*) FILTER (WHERE tsv @@ full_q),"
        " count(*) FILTER (WHERE (tsv @@ full_q) <> (tsv @@ small_q)"
        " OR ts_rank_cd('{{0.1, 0.3, 0.6, 1.0}}', tsv, full_q) <> ts_rank_cd('{{0.1, 0.3, 0.6, 1.0}}', tsv, small_q))"
        " FROM docs, q"
    )
    checked = reduced_somewhere = 0
    for configs in (["english", "simple"], ["english", "german", "simple"]):
        random_queries = [" & ".join(rng.choices(TRICKY, k=rng.randint(1, 3))) for _ in range(60)]
        for words in FIXED + random_queries:
            q = words + ":*"
            each = ", ".join(f"CAST(to_tsquery('{c}', :q) AS text)" for c in configs)
            full = " || ".join(f"to_tsquery('{c}', :q)" for c in configs)
            async with world.core.db.read() as session:
                printed = list((await session.exec(text(f"SELECT {each}").bindparams(q=q))).one())  # type: ignore[call-overload]
                smaller = tsquery.reduced(printed)
                if smaller is None:
                    continue
                reduced_somewhere += smaller != " | ".join(printed)
                sql = text(compare.format(full=full)).bindparams(q=q, smaller=smaller, **docs)
                matched, differing = (await session.exec(sql)).one()  # type: ignore[call-overload]
            assert differing == 0, (q, printed, smaller)
            checked += matched > 0
    assert checked >= 60 and reduced_somewhere >= 60
