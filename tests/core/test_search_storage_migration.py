"""Migration 0013 moves the search rows' text out of line on PostgreSQL, so that ranking a broad search reads
narrow rows, and stores the existing rows that way; its downgrade puts the text back in the row. Both ways
the index answers the same."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from comstack_core.schemas import SearchQuery

from ..conftest import World
from .publishing.test_promotion_record_migration import migrate
from .test_support import create_page


async def storage(url: str) -> tuple[list[str], int]:
    """The search table's storage options and how much of it is stored out of line (its TOAST table)."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            row = (
                await conn.execute(
                    text(
                        "SELECT reloptions, pg_relation_size(reltoastrelid) FROM pg_class"
                        " WHERE relname = 'page_search'"
                    )
                )
            ).one()
    finally:
        await engine.dispose()
    return sorted(row[0] or []), int(row[1])


async def answers(world: World) -> list[tuple[str, str, float]]:
    found = await world.core.search.search_docs(
        world.editor, world.project_id, SearchQuery(query="sprocket", include_drafts=True)
    )
    return [(hit.path, hit.snippet, round(hit.score, 5)) for hit in found.hits]


@pytest.mark.parametrize("backend", ["postgres"])
async def test_text_moves_out_of_the_row_and_back(world: World) -> None:
    rng = random.Random(13)
    vocabulary = [f"{rng.getrandbits(24):06x}" for _ in range(80)]
    for n in range(6):
        words = " ".join(rng.choices(vocabulary, k=600))
        await create_page(world, f"wide-{n}", title=f"Sprocket {n}", content=f"sprocket {words}")
    url = world.core.settings.database_url
    assert url is not None
    before = await answers(world)
    assert len(before) == 6
    options, out_of_line = await storage(url)
    assert options == ["toast_tuple_target=128"]
    assert out_of_line > 0

    await migrate(url, "0012", down=True)
    # The text fits in the row (compressed) up to a whole page's size: nothing is left out of line.
    assert await storage(url) == (["toast_tuple_target=8160"], 0)
    assert await answers(world) == before

    await migrate(url, "head", down=False)
    options, out_of_line = await storage(url)
    assert options == ["toast_tuple_target=128"]
    assert out_of_line > 0
    assert await answers(world) == before
