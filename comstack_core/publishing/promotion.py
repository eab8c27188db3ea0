"""Promotion, the publish job's first step: due drafts become live, a batch of pages per transaction, each
batch recording what it changed in ``PublishPromotion`` rows (``undo.py`` puts it back after a failure or a
revert)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import load_only
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..models import Publish, PublishPromotion
from ..schemas import ProgressStage, PublishStep
from ..services.base import Context
from .batch_promotion import promote_batch
from .job import check_owner, progress

PROMOTE_BATCH = 200  # pages made live per transaction
BATCH_COLUMNS = (
    Publish.id,
    Publish.project_id,
    Publish.status,
    Publish.step,
    Publish.claimed_by,
    Publish.counts,
    Publish.heartbeat_at,
)


async def promote(
    ctx: Context,
    publish_id: str,
    *,
    runner: str,
    next_beat: Callable[[str], datetime],
    loaded: Publish | None = None,
    only: set[str] | None = None,
    from_step: PublishStep = PublishStep.queued,
    finish: Callable[[], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Make due drafts live, PROMOTE_BATCH pages per transaction, each recording what it changed in
    ``PublishPromotion`` rows (so a failure or a revert puts every one back, and a resumed job skips them);
    the step (and ``finish()``'s values) go with the last batch, once all are live. Batches keep the write
    lock short: on SQLite one transaction over thousands of pages would stall every other write for its
    whole length. ``runner`` must own the job throughout (else ``LostClaim``); each batch records a heartbeat
    from ``next_beat``. Returns the job's counts."""
    now = ctx.clock()
    publish = loaded
    if publish is None:
        async with ctx.db.read() as session:
            publish = await session.get_one(Publish, publish_id)
    if publish.step != from_step:
        return dict(publish.counts)
    wanted = (
        only
        if only is not None
        else {p["path"] for p in publish.manifest.get("pages", []) if p["change_type"] != "removed"}
    )
    async with ctx.db.read() as session:  # a resumed job skips the pages its earlier batches made live
        paths = sorted(wanted - await promoted_ids(session, publish_id))
    batches = [paths[i : i + PROMOTE_BATCH] for i in range(0, len(paths), PROMOTE_BATCH)] or [[]]
    counts: dict[str, Any] = dict(publish.counts)
    for n, batch in enumerate(batches):
        last = n == len(batches) - 1
        async with ctx.db.write() as session:
            # Not the manifest: decoding thousands of its entries once per batch adds up.
            publish = (
                await session.exec(
                    select(Publish)
                    .options(load_only(*BATCH_COLUMNS))  # type: ignore[arg-type]
                    .where(col(Publish.id) == publish_id)
                    .with_for_update()
                )
            ).one()
            check_owner(publish, runner)
            if publish.step != from_step:
                return dict(publish.counts)
            # Within the lock: what another runner's batch made live before this one took the job over.
            done = await promoted_ids(session, publish_id, among=batch)
            made = await promote_batch(session, publish.project_id, batch, now, skip=done)
            if made:
                rows = [{"publish_id": publish_id, "page_id": page_id, **before} for page_id, before in made]
                await session.exec(insert(PublishPromotion), params=rows)
            # The count goes with the rows, in the same transaction: the record's size without reading it.
            promoted = int(publish.counts.get("promoted", 0)) + len(made)
            publish.counts = counts = {**publish.counts, "promoted": promoted}
            # Beat here too: back-to-back batches can keep the heartbeat task's own write waiting.
            publish.heartbeat_at = next_beat(publish_id)
            if from_step == PublishStep.queued:
                publish.progress = progress(ProgressStage.promoting, promoted, len(wanted))
            if last:
                if from_step == PublishStep.queued:
                    publish.step = PublishStep.promoted
                for key, value in (finish() if finish is not None else {}).items():
                    setattr(publish, key, value)
            session.add(publish)
        if ctx.db.is_sqlite and not last:
            # A gap between batches, so writers waiting on SQLite's lock (people editing) get their turn.
            await asyncio.sleep(0.05)
    return counts


async def promoted_ids(session: AsyncSession, publish_id: str, among: list[str] | None = None) -> set[str]:
    """The pages ``publish_id`` has made live (only those ``among`` these, when given)."""
    query = select(PublishPromotion.page_id).where(col(PublishPromotion.publish_id) == publish_id)
    if among is not None:
        query = query.where(col(PublishPromotion.page_id).in_(among))
    return set(await session.exec(query))
