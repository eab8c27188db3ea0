"""The publish job runner. Job state lives in the ``publishes`` table, so any process can run a job and a
job whose runner died (crash, SIGKILL) is taken over and finished, or marked failed, by the next runner.

Steps, each recorded in ``publish.step`` when done: promote ready drafts (``promotion.py``, in batches of
pages) → translation fan-out → build into an idle slot → gate (broken links, invalid output; both in
``build.py``) → atomic switch (``deploy.py``) → record. A failure after promotion puts the pages back
(``undo.py``), so the database never claims what the site does not show.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, literal, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..clock import new_id
from ..models import Page, Project, Publish
from ..models.types import UTCDateTime
from ..rules.locales import project_locales
from ..schemas import ProgressStage, PublishStep
from ..services.base import Context
from ..services.images import ImageStorage
from ..services.translations import fan_out
from ..site import SiteBuildError
from . import build, deploy
from .build import VERIFIED_FILE, BuildStates
from .build_input import InputCaches, current_nav, site_config, site_pages, site_url
from .job import JobFailed, LostClaim, check_owner, progress
from .manifest import last_deployed
from .plan import PLAN_LOCK, passed_plan
from .promotion import promote
from .site_images import place_images, site_images, with_images
from .undo import restore_pages

log = logging.getLogger("comstack.publish")
CHUNK = 500  # ids per IN (...) list: well under SQLite's and PostgreSQL's bound-parameter limits
CACHED_PROJECTS = 8  # projects whose live revisions a runner keeps between publishes
STEP_NAMES = {
    "queued": "promoting the approved drafts",
    "promoting": "promoting the approved drafts",
    "promoted": "opening translations",
    "translating": "opening translations",
    "translated": "building the site",
    "building": "building the site",
    "checking": "checking the built site",
    "done": "switching the site live",
}


class PublishRunner:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.instance = new_id("run")
        self._wake = asyncio.Event()
        self._active: set[str] = set()
        # Jobs of other runners: the heartbeat value last seen and when (our monotonic clock) it was first seen.
        self._seen: dict[str, tuple[datetime | None, float]] = {}
        self._beats: dict[str, datetime] = {}
        self.inputs = InputCaches(CACHED_PROJECTS)
        # Shared with the dry run's check (``plan.py``), which builds beside the slots.
        self.states = BuildStates(4 * CACHED_PROJECTS)  # three slots and the dry run's per project
        self._images = ImageStorage(ctx.settings)

    def wake(self) -> None:
        self._wake.set()

    async def run_forever(self, poll_seconds: float = 1.0) -> None:
        """Claim and run jobs until cancelled (the server runs this in its lifespan)."""
        try:
            await self.reconcile_sites()
        except Exception:  # jobs must still run: a runner that stopped here would leave every publish queued
            log.exception("publish runner: the sites could not be checked against the database")
        while True:
            try:
                ran = await self.run_pending()
            except Exception:  # keep the runner alive; the job itself recorded its failure
                log.exception("publish runner loop error")
                ran = False
            if not ran:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), poll_seconds)

    async def run_pending(self) -> bool:
        publish_id = await self.claim()
        if publish_id is None:
            return False
        await self.run_job(publish_id)
        return True

    async def claim(self) -> str | None:
        """Take the oldest job that has no runner, or whose runner's heartbeat has not moved for
        ``publish_stale_seconds``. Silence is judged on this process's own monotonic clock, never by comparing
        another host's timestamps with ours, so clocks that disagree cannot make a live job look dead."""
        now = self.ctx.clock()
        async with self.ctx.db.write() as session:
            rows = (
                await session.exec(
                    select(Publish.id, Publish.claimed_by, Publish.heartbeat_at)
                    .where(Publish.status == "running")
                    .order_by(col(Publish.created_at))
                )
            ).all()
            self._seen = {k: v for k, v in self._seen.items() if k in {r[0] for r in rows}}
            for publish_id, owner, beat in rows:
                if publish_id in self._active or (owner is not None and not self._silent(publish_id, beat)):
                    continue
                # Compare-and-set on what we observed: a heartbeat in between keeps the job with its runner.
                unchanged = (
                    col(Publish.claimed_by).is_(None)
                    if owner is None
                    else (col(Publish.claimed_by) == owner)
                    & (
                        col(Publish.heartbeat_at).is_(None)
                        if beat is None
                        else col(Publish.heartbeat_at) == beat
                    )
                )
                taken = await session.exec(
                    update(Publish)
                    .where(col(Publish.id) == publish_id, col(Publish.status) == "running", unchanged)
                    .values(
                        claimed_by=self.instance,
                        heartbeat_at=now,
                        # Set by the first claim only: a job taken over keeps its start.
                        started_at=func.coalesce(col(Publish.started_at), literal(now, UTCDateTime())),
                    )
                )
                if taken.rowcount == 1:
                    if owner is not None:
                        log.warning(
                            "publish %s: runner %s went silent; taking the job over", publish_id, owner
                        )
                    self._beats[publish_id] = now
                    self._seen.pop(publish_id, None)
                    return str(publish_id)
        return None

    def _silent(self, publish_id: str, beat: datetime | None) -> bool:
        seen = self._seen.get(publish_id)
        here = time.monotonic()
        if seen is None or seen[0] != beat:
            self._seen[publish_id] = (beat, here)
            return False
        return here - seen[1] >= self.ctx.settings.publish_stale_seconds

    async def reconcile_sites(self) -> None:
        """Make every published project's ``current`` match the database (a switch lost in a crash)."""
        async with self.ctx.db.read() as session:
            project_ids = list(
                await session.exec(
                    select(Publish.project_id)
                    .where(col(Publish.status).in_(("succeeded", "reverted")))
                    .distinct()
                )
            )
        async with self.ctx.db.read() as session:
            existing = set(await session.exec(select(Project.id)))
        await deploy.remove_orphan_sites(self.ctx.settings.sites_dir, existing)
        for project_id in project_ids:
            # A project whose lock is held is being deployed or reverted right now; that sets it right.
            try:
                await deploy.sync_site(self.ctx, project_id, wait=False)
            except OSError:  # e.g. ``current`` replaced by a folder by hand: the others are still put right
                log.exception("publish runner: project %s's site could not be pointed at its build", project_id)

    async def run_job(self, publish_id: str) -> None:
        self._active.add(publish_id)
        heartbeat = asyncio.create_task(self._heartbeat(publish_id))
        try:
            await self._steps(publish_id)
        except LostClaim:
            log.warning("publish %s was taken over by another runner; this one stops", publish_id)
        except JobFailed as error:
            await self._fail(publish_id, str(error))
        except SiteBuildError as error:  # the site cannot be built as asked: say why
            await self._fail(publish_id, f"The site could not be built: {error}.")
        except Exception as error:
            # Our bug: the details go to the log under a reference; the publish says where it stopped.
            reference = uuid.uuid4().hex[:12]
            log.error("publish %s failed, reference %s", publish_id, reference, exc_info=error)
            step = await self._step(publish_id)
            await self._fail(
                publish_id,
                f"The publish failed while {STEP_NAMES.get(step, step)} because of an unexpected server "
                f"error (reference {reference}; the server log has the details). Nothing was deployed and "
                "the approved drafts are back as they were; try again, and report the reference if it "
                "happens again.",
            )
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
            self._active.discard(publish_id)
            self._beats.pop(publish_id, None)

    async def _step(self, publish_id: str) -> str:
        try:
            publish, _ = await self._load(publish_id)
        except Exception:  # the database itself may be what failed
            return "unknown"
        return str(publish.progress.get("step") or publish.step)

    async def _heartbeat(self, publish_id: str) -> None:
        while True:
            await asyncio.sleep(self.ctx.settings.publish_heartbeat_seconds)
            beat = self._next_beat(publish_id)
            try:
                async with self.ctx.db.write() as session:
                    await session.exec(
                        update(Publish)
                        .where(col(Publish.id) == publish_id, col(Publish.claimed_by) == self.instance)
                        .values(heartbeat_at=beat)
                    )
            except Exception as error:  # a busy or briefly unreachable database must not end the job
                log.warning("publish %s: heartbeat not recorded (%s)", publish_id, error)

    def _next_beat(self, publish_id: str) -> datetime:
        """The next heartbeat value. Each must differ from the last (others watch for change, not for the
        time it says), even when the clock stands still."""
        last = self._beats.get(publish_id)
        now = self.ctx.clock()
        beat = now if last is None or now > last else last + timedelta(microseconds=1)
        self._beats[publish_id] = beat
        return beat

    async def _load(self, publish_id: str) -> tuple[Publish, Project]:
        async with self.ctx.db.read() as session:
            publish = await session.get_one(Publish, publish_id)
            return publish, await session.get_one(Project, publish.project_id)

    async def _save(self, publish_id: str, **values: Any) -> None:
        """Record job state, only while this runner still owns the job."""
        async with self.ctx.db.write() as session:
            saved = await session.exec(
                update(Publish)
                .where(col(Publish.id) == publish_id, col(Publish.claimed_by) == self.instance)
                .values(**values)
            )
            if saved.rowcount != 1:
                raise LostClaim(publish_id)

    async def _steps(self, publish_id: str) -> None:
        # Each step records its end in the same write as the next one's start (a write per step, not
        # three: on a small publish the writes are most of the time), and timings as each step ends, so
        # a job resumed after a crash still reports the earlier steps.
        publish, project = await self._load(publish_id)
        project_id, step = publish.project_id, PublishStep(publish.step)
        timings, counts = dict(publish.timings), dict(publish.counts)
        if step == PublishStep.queued:
            started = time.perf_counter()

            def promoted() -> dict[str, Any]:
                timings["promote"] = round(time.perf_counter() - started, 3)
                return {"timings": timings, "progress": progress(ProgressStage.translating)}

            counts = await promote(
                self.ctx, publish_id, runner=self.instance, next_beat=self._next_beat,
                loaded=publish, finish=promoted,
            )
            step = PublishStep.promoted
        before_build: dict[str, Any] = {}
        if step == PublishStep.promoted:
            started = time.perf_counter()
            opened, translated = 0, list[str]()
            # A one-language site has nothing to translate: no need for the fan-out's write transaction.
            if len(project_locales(project.default_locale, project.modules)) > 1:
                opened, translated = await fan_out(self.ctx, publish_id)
            if translated:  # an automatic provider's results go live in this same publish
                counts = await promote(
                    self.ctx, publish_id, runner=self.instance, next_beat=self._next_beat,
                    only=set(translated), from_step=PublishStep.promoted,
                )
            timings["translate"] = round(time.perf_counter() - started, 3)
            # Recorded with the build's start, once its input is loaded: a crash before that repeats the fan-out.
            before_build = {"step": PublishStep.translated, "counts": {**counts, "translation_tasks": opened}}
        # Build, gate and switch always run from scratch on resume: a half-written slot is simply rebuilt.
        await self._build_and_deploy(publish_id, project_id, timings, before_build)

    async def _build_and_deploy(
        self, publish_id: str, project_id: str, timings: dict[str, float], before_build: dict[str, Any]
    ) -> None:
        settings = self.ctx.settings
        async with self.ctx.db.read(large=True) as session:
            project = await session.get_one(Project, project_id)
            target = (await session.exec(select(Publish.site_url).where(Publish.id == publish_id))).one()
            nav = await current_nav(session, project.id)
            # The URL the dry run showed and the confirm bound: not this process's own idea of it.
            base = target or site_url(settings.public_url, project)
            config = site_config(project, base, nav)
            cache, lend = self.inputs.for_job(project.id)
            pages = await site_pages(session, project, cache, lend=lend)
            images = await site_images(session, project, pages, config.base_url, self._images)
            pages = with_images(pages, images, settings.public_url)
            config = replace(config, images=images.sizes)
            theme = dict(project.theme or {})
            # The deployment a revert of the latest succeeded publish would put back must survive this build.
            latest = await last_deployed(session, project.id)
            keep = latest.previous_build_dir if latest is not None else None
        await self._save(
            publish_id, **before_build, timings=timings, progress=progress(ProgressStage.building, 0, len(pages))
        )
        sites = settings.sites_dir
        async with deploy.build_lock(sites, project.id):  # until the switch is done
            previous = deploy.active_slot(sites, project.id)
            slot = deploy.next_slot(sites, project.id, keep)
            out = deploy.slot_path(sites, project.id, slot)
            started = time.perf_counter()
            seed = deploy.slot_path(sites, project.id, previous) if previous else None
            async with deploy.build_lock(sites, project.id, name=PLAN_LOCK):
                # The dry run built and checked this same site: start from that build (by hard links), so a
                # full publish renders and checks its pages once, not twice. Built from the served site with
                # the approved drafts in, it differs from the served one by this publish's own change.
                served, planned = seed, passed_plan(sites, project.id)
                result, trusted = await asyncio.to_thread(
                    build.into_slot, config, pages, out, planned or seed, self.states
                )
            await asyncio.to_thread(place_images, out, images, self._images)
            timings["build"] = round(time.perf_counter() - started, 3)
            full_check = not trusted or result.full_rebuild or bool(result.removed)
            if planned is not None:  # the counts say what this publish changed, whoever rendered it
                result = build.counted_from(result, self.states.load(served) if served else None)
            if full_check:  # checking a whole large site takes a while: say so
                await self._save(publish_id, progress=progress(ProgressStage.checking, len(pages), len(pages)))
            started = time.perf_counter()
            problems = await asyncio.to_thread(build.gate, out, config.base_url, result, full_check, images.files)
            timings["check"] = round(time.perf_counter() - started, 3)
            if problems:
                raise JobFailed(
                    f"The site failed the pre-deploy check ({len(problems)} problems): "
                    + "; ".join(problems[:10])
                )
            (out / VERIFIED_FILE).touch()
            deployed = {p.id: {"slug": p.slug, "language": p.language, "title": p.title} for p in pages}
            now = self.ctx.clock()
            async with self.ctx.db.write() as session:
                publish = await session.get_one(Publish, publish_id, with_for_update=True)
                check_owner(publish, self.instance)
                project = await session.get_one(Project, publish.project_id, with_for_update=True)
                await _mark_on_site(session, project.id, set(deployed))
                publish.previous_theme, publish.previous_nav = project.published_theme, project.published_nav
                project.published_theme, project.published_nav = theme, nav
                publish.build_dir, publish.previous_build_dir = slot, previous
                publish.deployed, publish.status, publish.step = deployed, "succeeded", PublishStep.deployed
                publish.finished_at = now
                publish.timings = timings
                publish.progress = progress(ProgressStage.done, len(pages), len(pages))
                publish.counts = {
                    **publish.counts,
                    "pages": len(pages),
                    "rendered": result.rendered,
                    "files_written": len(result.written),
                    "files_removed": len(result.removed),
                    "bytes": result.total_bytes,
                    "full_rebuild": result.full_rebuild,
                    "gate": "full" if full_check else "changed files",
                }
                session.add_all([publish, project])
            # The switch follows the commit; reconcile_sites() repairs it if we die in between.
            deploy.activate(sites, project.id, slot)
            started = time.perf_counter()
            seeded = await asyncio.to_thread(build.seed_idle_slots, sites, project.id, slot, previous)
            if seeded:
                timings["seed"] = round(time.perf_counter() - started, 3)
                await self._save(publish_id, timings=timings)

    async def _fail(self, publish_id: str, message: str) -> None:
        async with self.ctx.db.write() as session:
            publish = await session.get_one(Publish, publish_id, with_for_update=True)
            if publish.status != "running" or publish.claimed_by != self.instance:
                return  # finished, or another runner owns it now
            await restore_pages(session, publish, keep_as_draft=False)
            publish.status, publish.error, publish.finished_at = "failed", message[:4000], self.ctx.clock()
            publish.progress = {**publish.progress, "step": ProgressStage.failed.value}
            session.add(publish)


async def _mark_on_site(session: AsyncSession, project_id: str, deployed: set[str]) -> None:
    """Set pages.on_site from the deployed set, touching only the rows that change (few, on an incremental
    publish), without loading thousands of pages as objects."""
    rows = await session.exec(select(Page.id, Page.on_site).where(Page.project_id == project_id))
    flips: dict[bool, list[str]] = {True: [], False: []}
    for page_id, on_site in rows:
        if bool(on_site) != (page_id in deployed):
            flips[page_id in deployed].append(page_id)
    for value, ids in flips.items():
        for start in range(0, len(ids), CHUNK):
            await session.exec(
                update(Page).where(col(Page.id).in_(ids[start : start + CHUNK])).values(on_site=value)
            )
