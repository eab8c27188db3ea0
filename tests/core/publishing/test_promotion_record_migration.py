"""Migration 0012 moves what each publish's promotion changed from a JSON record on the publish into a row
per page, and its downgrade puts the record back: both ways keep every field, on both databases."""

from __future__ import annotations

import json
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import col, select

from comstack_core.db import MIGRATIONS_DIR
from comstack_core.models import Publish, PublishPromotion

from ...conftest import World

RECORD = {
    "pg_new": {"previous_live": None, "previous_hash": None, "previous_unpublished": False, "new_live": "rev_a"},
    "pg_edited": {
        "previous_live": "rev_b", "previous_hash": "f" * 64, "previous_unpublished": False, "new_live": "rev_c",
    },
    "pg_taken_down": {
        "previous_live": "rev_d", "previous_hash": "e" * 64, "previous_unpublished": True, "new_live": "rev_e",
    },
}


async def migrate(url: str, revision: str, *, down: bool) -> None:
    def run(connection: Connection) -> None:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        cfg.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(cfg, revision)

    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(run)
    finally:
        await engine.dispose()


async def rows(world: World, publish_id: str) -> dict[str, dict[str, Any]]:
    async with world.core.db.read() as session:
        found = await session.exec(select(PublishPromotion).where(col(PublishPromotion.publish_id) == publish_id))
        return {r.page_id: r.model_dump(exclude={"publish_id", "page_id"}) for r in found}


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_the_record_moves_to_rows_and_back(world: World) -> None:
    core = world.core
    now = core.ctx.clock()
    async with core.db.write() as session:
        for publish_id in ("pub_one", "pub_none"):
            session.add(
                Publish(id=publish_id, project_id=world.project_id, actor_kind="user", door="script", created_at=now)
            )
        await session.flush()
        session.add_all(PublishPromotion(publish_id="pub_one", page_id=k, **v) for k, v in RECORD.items())
    assert await rows(world, "pub_one") == RECORD
    url = core.settings.database_url

    await migrate(url, "0011", down=True)
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            kept = dict((await conn.execute(text("SELECT id, promoted FROM publishes"))).all())
    finally:
        await engine.dispose()
    decoded = {k: v if isinstance(v, dict) else json.loads(v) for k, v in kept.items()}
    assert decoded == {"pub_one": RECORD, "pub_none": {}}

    await migrate(url, "head", down=False)
    assert await rows(world, "pub_one") == RECORD
    assert await rows(world, "pub_none") == {}
