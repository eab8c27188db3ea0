"""The publish job runner. Job state lives in the ``publishes`` table, so any process can run a job and a
job whose runner died (crash, SIGKILL) is taken over and finished, or marked failed, by the next runner.

Steps, each recorded in ``publish.step`` when done: promote ready drafts (one transaction) → translation
fan-out → build into the idle slot → gate (broken links, invalid output) → atomic switch → record.
A failure after promotion puts the pages back, so the database never claims what the site does not show.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, literal, update
from sqlalchemy.orm import load_only
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..clock import new_id
from ..models import Page, Project, Publish
from ..models.types import UTCDateTime
from ..rules.locales import project_locales
from ..site import BuildResult, BuildState, SiteConfig, SitePage, build_site, check_files, check_site
from . import deploy, search_index
from .base import Context
from .build_states import STATE_FILE, VERIFIED_FILE, BuildStates, catch_up
from .manifest import is_due, last_deployed, load_revisions
from .page_store.status import derive_status
from .publish_undo import restore_pages
from .site_input import SiteInputCache, current_nav, site_config, site_pages, site_url
from .translations import fan_out

log = logging.getLogger("comstack.publish")
CHUNK = 500  # ids per IN (...) list: well under SQLite's and PostgreSQL's bound-parameter limits
PROMOTE_BATCH = 200  # pages made live per transaction
CACHED_PROJECTS = 8  # projects whose live revisions a runner keeps between publishes
BATCH_COLUMNS = (
    Publish.id,
    Publish.project_id,
    Publish.status,
    Publish.step,
    Publish.claimed_by,
    Publish.promoted,
    Publish.counts,
    Publish.heartbeat_at,
)


def _progress(step: str, done: int = 0, total: int = 0) -> dict[str, Any]:
    return {"step": step, "done": done, "total": total}


class JobFailed(Exception):
    """A step refused to go on; the message is shown in publish-status."""


class LostClaim(Exception):
    """Another runner took this job over (ours looked dead to it): stop without touching the job."""


class PublishRunner:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.instance = new_id("run")
        self._wake = asyncio.Event()
        self._active: set[str] = set()
        # Jobs of other runners: the heartbeat value last seen and when (our monotonic clock) it was first seen.
        self._seen: dict[str, tuple[datetime | None, float]] = {}
        self._beats: dict[str, datetime] = {}
        self._site_cache: dict[str, SiteInputCache] = {}
        self._states = BuildStates(3 * CACHED_PROJECTS)  # three slots per project

    def wake(self) -> None:
        self._wake.set()

    async def run_forever(self, poll_seconds: float = 1.0) -> None:
        """Claim and run jobs until cancelled (the server runs this in its lifespan)."""
        await self.reconcile_sites()
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
        for project_id in project_ids:
            # A project whose lock is held is being deployed or reverted right now; that sets it right.
            await sync_site(self.ctx, project_id, wait=False)

    async def run_job(self, publish_id: str) -> None:
        self._active.add(publish_id)
        heartbeat = asyncio.create_task(self._heartbeat(publish_id))
        try:
            await self._steps(publish_id)
        except LostClaim:
            log.warning("publish %s was taken over by another runner; this one stops", publish_id)
        except Exception as error:
            message = (
                str(error) if isinstance(error, JobFailed) else f"internal error: {type(error).__name__}"
            )
            if not isinstance(error, JobFailed):
                log.exception("publish %s failed", publish_id)
            await self._fail(publish_id, message)
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
            self._active.discard(publish_id)
            self._beats.pop(publish_id, None)

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

    def _site_input(self, project_id: str) -> SiteInputCache:
        """This runner's copy of a project's site input (from immutable revisions), for the last few projects."""
        cache = self._site_cache.pop(project_id, None) or SiteInputCache()
        self._site_cache[project_id] = cache  # most recently used last
        while len(self._site_cache) > CACHED_PROJECTS:
            self._site_cache.pop(next(iter(self._site_cache)))
        return cache

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

    def _check_owner(self, publish: Publish) -> None:
        if publish.claimed_by != self.instance or publish.status != "running":
            raise LostClaim(publish.id)

    async def _steps(self, publish_id: str) -> None:
        # Each step records its end in the same write as the next one's start (a write per step, not
        # three: on a small publish the writes are most of the time), and timings as each step ends, so
        # a job resumed after a crash still reports the earlier steps.
        publish, project = await self._load(publish_id)
        project_id, step = publish.project_id, publish.step
        timings, counts = dict(publish.timings), dict(publish.counts)
        if step == "queued":
            started = time.perf_counter()

            def promoted() -> dict[str, Any]:
                timings["promote"] = round(time.perf_counter() - started, 3)
                return {"timings": timings, "progress": _progress("translating")}

            counts = await self._promote(publish_id, loaded=publish, finish=promoted)
            step = "promoted"
        before_build: dict[str, Any] = {}
        if step == "promoted":
            started = time.perf_counter()
            opened, translated = 0, list[str]()
            # A one-language site has nothing to translate: no need for the fan-out's write transaction.
            if len(project_locales(project.default_locale, project.modules)) > 1:
                opened, translated = await fan_out(self.ctx, publish_id)
            if translated:  # an automatic provider's results go live in this same publish
                counts = await self._promote(publish_id, only=set(translated), from_step="promoted")
            timings["translate"] = round(time.perf_counter() - started, 3)
            # Recorded with the build's start, once its input is loaded: a crash before that repeats the fan-out.
            before_build = {"step": "translated", "counts": {**counts, "translation_tasks": opened}}
        # Build, gate and switch always run from scratch on resume: a half-written slot is simply rebuilt.
        await self._build_and_deploy(publish_id, project_id, timings, before_build)

    async def _promote(
        self,
        publish_id: str,
        *,
        loaded: Publish | None = None,
        only: set[str] | None = None,
        from_step: str = "queued",
        finish: Callable[[], dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Make due drafts live, PROMOTE_BATCH pages per transaction, each recording what it changed in
        ``publish.promoted`` (so a failure or a revert puts every one back, and a resumed job skips them);
        the step (and ``finish()``'s values) go with the last batch, once all are live. Batches keep the write
        lock short: on SQLite one transaction over thousands of pages would stall every other write for its
        whole length. Returns the job's counts."""
        now = self.ctx.clock()
        publish = loaded
        if publish is None:
            async with self.ctx.db.read() as session:
                publish = await session.get_one(Publish, publish_id)
        if publish.step != from_step:
            return dict(publish.counts)
        wanted = (
            only
            if only is not None
            else {p["path"] for p in publish.manifest.get("pages", []) if p["change_type"] != "removed"}
        )
        paths = sorted(wanted - set(publish.promoted))
        batches = [paths[i : i + PROMOTE_BATCH] for i in range(0, len(paths), PROMOTE_BATCH)] or [[]]
        counts: dict[str, Any] = dict(publish.counts)
        for n, batch in enumerate(batches):
            last = n == len(batches) - 1
            async with self.ctx.db.write() as session:
                # Not the manifest: decoding thousands of its entries once per batch adds up.
                publish = (
                    await session.exec(
                        select(Publish)
                        .options(load_only(*BATCH_COLUMNS))  # type: ignore[arg-type]
                        .where(col(Publish.id) == publish_id)
                        .with_for_update()
                    )
                ).one()
                self._check_owner(publish)
                if publish.step != from_step:
                    return dict(publish.counts)
                promoted: dict[str, Any] = dict(publish.promoted)
                due = []
                if batch:
                    due = [
                        page
                        for page in await session.exec(
                            select(Page).where(Page.project_id == publish.project_id, col(Page.id).in_(batch))
                        )
                        if is_due(page, now) and page.id not in promoted
                    ]
                revs = await load_revisions(session, [str(page.draft_revision_id) for page in due])
                for page in due:
                    rev = revs[str(page.draft_revision_id)]
                    promoted[page.id] = {
                        "previous_live": page.live_revision_id,
                        "previous_hash": page.live_hash,
                        "previous_unpublished": page.unpublished,
                        "new_live": rev.id,
                    }
                    rev.published = True
                    page.live_revision_id, page.live_hash = rev.id, rev.content_hash
                    page.draft_revision_id, page.draft_approved, page.unpublished = None, False, False
                    page.status = derive_status(page)
                    page.version += 1
                    session.add_all([rev, page])
                await session.flush()  # once for the batch, then the search rows (raw SQL) follow them
                for page in due:
                    await search_index.reindex(session, page)
                publish.promoted = promoted
                publish.counts = counts = {**publish.counts, "promoted": len(promoted)}
                # Beat here too: back-to-back batches can keep the heartbeat task's own write waiting.
                publish.heartbeat_at = self._next_beat(publish_id)
                if from_step == "queued":
                    publish.progress = _progress("promoting", len(promoted), len(wanted))
                if last:
                    if from_step == "queued":
                        publish.step = "promoted"
                    for key, value in (finish() if finish is not None else {}).items():
                        setattr(publish, key, value)
                session.add(publish)
            if self.ctx.db.is_sqlite and not last:
                # A gap between batches, so writers waiting on SQLite's lock (people editing) get their turn.
                await asyncio.sleep(0.05)
        return counts

    async def _build_and_deploy(
        self, publish_id: str, project_id: str, timings: dict[str, float], before_build: dict[str, Any]
    ) -> None:
        settings = self.ctx.settings
        async with self.ctx.db.read() as session:
            project = await session.get_one(Project, project_id)
            nav = await current_nav(session, project.id)
            config = site_config(project, site_url(settings.public_url, project), nav)
            pages = await site_pages(session, project, self._site_input(project.id))
            theme = dict(project.theme or {})
            # The deployment a revert of the latest succeeded publish would put back must survive this build.
            latest = await last_deployed(session, project.id)
            keep = latest.previous_build_dir if latest is not None else None
        await self._save(
            publish_id, **before_build, timings=timings, progress=_progress("building", 0, len(pages))
        )
        sites = settings.sites_dir
        async with deploy.build_lock(sites, project.id):  # until the switch is done
            previous = deploy.active_slot(sites, project.id)
            slot = deploy.next_slot(sites, project.id, keep)
            out = deploy.slot_path(sites, project.id, slot)
            started = time.perf_counter()
            seed = deploy.slot_path(sites, project.id, previous) if previous else None
            result, trusted = await asyncio.to_thread(_build, config, pages, out, seed, self._states)
            timings["build"] = round(time.perf_counter() - started, 3)
            full_check = not trusted or result.full_rebuild or bool(result.removed)
            if full_check:  # checking a whole large site takes a while: say so
                await self._save(publish_id, progress=_progress("checking", len(pages), len(pages)))
            started = time.perf_counter()
            problems = await asyncio.to_thread(_gate, out, config.base_url, result, full_check)
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
                self._check_owner(publish)
                project = await session.get_one(Project, publish.project_id, with_for_update=True)
                await _mark_on_site(session, project.id, set(deployed))
                publish.previous_theme, publish.previous_nav = project.published_theme, project.published_nav
                project.published_theme, project.published_nav = theme, nav
                publish.build_dir, publish.previous_build_dir = slot, previous
                publish.deployed, publish.status, publish.step = deployed, "succeeded", "deployed"
                publish.finished_at = now
                publish.timings = timings
                publish.progress = _progress("done", len(pages), len(pages))
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
            seeded = await asyncio.to_thread(_seed_idle_slots, sites, project.id, slot, previous)
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
            publish.progress = {**publish.progress, "step": "failed"}
            session.add(publish)


async def sync_site(ctx: Context, project_id: str, *, wait: bool = True) -> None:
    """Point the project's ``current`` at the build of its latest succeeded publish, or take the site down if
    there is none (all reverted). Under the build lock, so it never interleaves with a deploy's switch."""
    sites = ctx.settings.sites_dir
    async with deploy.build_lock(sites, project_id, wait=wait) as acquired:
        if not acquired:
            return
        async with ctx.db.read() as session:
            latest = await last_deployed(session, project_id)
        want = latest.build_dir if latest is not None else None
        if deploy.active_slot(sites, project_id) != want:
            deploy.activate(sites, project_id, want)


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


def _build(
    config: SiteConfig, pages: list[SitePage], out: Path, seed: Path | None, states: BuildStates
) -> tuple[BuildResult, bool]:
    """Build into ``out`` incrementally from the served build (``seed``); also say whether every file the
    build did not write had passed the gate before (so the gate may look at the written files only).

    The slot is first brought to the served build: by linking the files of the pages that changed since
    its own build when it holds one of the same theme and navigation, else by a fresh hard-link copy. So
    every build renders only what changed since the last deploy. With nothing served yet, the slot's own
    build is the starting point, and a slot with no trustworthy state (never built, or a build died in it)
    is emptied.
    """
    state_file, verified = out / STATE_FILE, out / VERIFIED_FILE
    have = states.load(out)
    want = states.load(seed) if seed is not None else None
    own_trusted = have is not None and verified.exists()
    # The state and the gate's mark are dropped before anything in the slot changes and written after the
    # build: a crash while catching up or building leaves neither, so the next attempt starts from a fresh
    # copy or a full build and a full check instead of trusting half-written files.
    state_file.unlink(missing_ok=True)
    verified.unlink(missing_ok=True)
    previous: BuildState | None
    if seed is not None and want is not None:
        if have is None or not catch_up(out, have, seed, want):
            deploy.clone(seed, out)
        previous, trusted = want, (seed / VERIFIED_FILE).exists()
    else:
        if have is None:
            shutil.rmtree(out, ignore_errors=True)
        previous, trusted = have, own_trusted
    result = build_site(config, pages, out, previous)
    states.save(out, result.state)
    return result, trusted


def _seed_idle_slots(sites: Path, project_id: str, served: str, kept: str | None) -> list[str]:
    """Make each slot that holds no build, and is neither served nor kept for a revert, a hard-link copy of
    the deployment just made (state and gate mark included). Without this, the next publishes into those
    slots (right after a project's first one) would each copy the whole site first; here the copy is part
    of the publish that built the whole site anyway."""
    seeded = []
    src = deploy.slot_path(sites, project_id, served)
    for slot in deploy.SLOTS:
        dst = deploy.slot_path(sites, project_id, slot)
        if slot in (served, kept) or (dst / STATE_FILE).exists():
            continue
        deploy.clone(src, dst, last=(VERIFIED_FILE, STATE_FILE))
        seeded.append(slot)
    return seeded


def _gate(out: Path, base_url: str, result: BuildResult, full: bool) -> list[str]:
    """The pre-deploy check: of the whole site, or (not ``full``: the build only added or re-rendered files
    over a site that had passed the gate) of the files it wrote. A link can only break where something was
    written or removed, and the builder re-renders every page whose link targets changed."""
    if full:
        return check_site(out, base_url)
    return check_files(out, base_url, result.written, result.state.files())
