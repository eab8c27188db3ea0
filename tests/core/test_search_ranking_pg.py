"""PostgreSQL search ranks exactly as the obvious query does: every match ranked with ``ts_rank_cd``, best
first. The search statement is shaped for speed (keys through the sort, text read for the kept rows only,
snippets in Python); this holds it to the same top ten on a fixed query set, broad and narrow."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import text

from comstack_core.schemas import PageRef, PageUpdate, SearchQuery

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
