"""Migration 0014 gives each publish the site URL its manifest recorded, in a column of its own, so a status poll
no longer parses the manifest; its downgrade drops the column. Both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import col, select

from comstack_core.models import Publish

from ...conftest import World
from .test_promotion_record_migration import migrate

URL = "https://docs.example.com/sites/acme/"


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_existing_publishes_keep_the_url_their_manifest_recorded(world: World) -> None:
    core = world.core
    now = core.ctx.clock()
    manifests = {"pub_with": {"target_site_url": URL, "pages": [{"path": "pg_a"}]}, "pub_without": {}}
    async with core.db.write() as session:
        for publish_id, manifest in manifests.items():
            session.add(
                Publish(
                    id=publish_id,
                    project_id=world.project_id,
                    actor_kind="user",
                    door="script",
                    manifest=manifest,
                    created_at=now,
                )
            )
    url = core.settings.database_url

    await migrate(url, "0013", down=True)
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            columns = (await conn.execute(text("SELECT * FROM publishes LIMIT 0"))).keys()
    finally:
        await engine.dispose()
    assert "site_url" not in columns

    await migrate(url, "head", down=False)
    async with core.db.read() as session:
        found = dict(
            (await session.exec(select(Publish.id, Publish.site_url).order_by(col(Publish.id)))).all()
        )
        manifest = (await session.get_one(Publish, "pub_with")).manifest
    assert found == {"pub_with": URL, "pub_without": None}
    assert manifest == manifests["pub_with"]
