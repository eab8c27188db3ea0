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
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import or_, update
from sqlmodel import col, select

from ..clock import new_id
from ..models import Page, PageRevision, Project, Publish
from ..site import BuildResult, BuildState, SiteConfig, SitePage, build_site, check_site
from . import deploy, search_index
from .base import Context
from .manifest import is_due
from .page_store import derive_status
from .publish_undo import restore_pages
from .site_input import current_nav, site_config, site_pages, site_url
from .translations import fan_out

log = logging.getLogger("comstack.publish")
STATE_FILE = ".build-state.json"


class JobFailed(Exception):
    """A step refused to go on; the message is shown in publish-status."""


class PublishRunner:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.instance = new_id("run")
        self._wake = asyncio.Event()

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
        now = self.ctx.clock()
        stale = now - timedelta(seconds=self.ctx.settings.publish_stale_seconds)
        claimable = or_(col(Publish.claimed_by).is_(None), col(Publish.heartbeat_at) < stale)
        async with self.ctx.db.write() as session:
            candidate = (
                await session.exec(
                    select(Publish.id)
                    .where(Publish.status == "running", claimable)
                    .order_by(col(Publish.created_at))
                    .limit(1)
                )
            ).first()
            if candidate is None:
                return None
            taken = await session.exec(
                update(Publish)
                .where(col(Publish.id) == candidate, col(Publish.status) == "running", claimable)
                .values(claimed_by=self.instance, heartbeat_at=now)
            )
            return candidate if taken.rowcount == 1 else None

    async def reconcile_sites(self) -> None:
        """Make every project's ``current`` match its latest succeeded publish (a switch lost in a crash)."""
        async with self.ctx.db.read() as session:
            rows = await session.exec(
                select(Publish)
                .where(col(Publish.status).in_(("succeeded", "reverted")))
                .order_by(col(Publish.project_id), col(Publish.created_at))
            )
            latest: dict[str, Publish] = {}
            for publish in rows:
                latest[publish.project_id] = publish
        for project_id, publish in latest.items():
            want = publish.build_dir if publish.status == "succeeded" else publish.previous_build_dir
            if deploy.active_slot(self.ctx.settings.sites_dir, project_id) != want:
                deploy.activate(self.ctx.settings.sites_dir, project_id, want)

    async def run_job(self, publish_id: str) -> None:
        heartbeat = asyncio.create_task(self._heartbeat(publish_id))
        try:
            await self._steps(publish_id)
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

    async def _heartbeat(self, publish_id: str) -> None:
        while True:
            await asyncio.sleep(self.ctx.settings.publish_heartbeat_seconds)
            async with self.ctx.db.write() as session:
                await session.exec(
                    update(Publish)
                    .where(col(Publish.id) == publish_id, col(Publish.claimed_by) == self.instance)
                    .values(heartbeat_at=self.ctx.clock())
                )

    async def _load(self, publish_id: str) -> Publish:
        async with self.ctx.db.read() as session:
            return await session.get_one(Publish, publish_id)

    async def _save(self, publish_id: str, **values: Any) -> None:
        async with self.ctx.db.write() as session:
            await session.exec(update(Publish).where(col(Publish.id) == publish_id).values(**values))

    async def _steps(self, publish_id: str) -> None:
        publish = await self._load(publish_id)
        timings = dict(publish.timings)
        if publish.started_at is None:
            await self._save(publish_id, started_at=self.ctx.clock())
        if publish.step == "queued":
            started = time.perf_counter()
            await self._progress(publish_id, "promoting")
            await self._promote(publish_id)
            timings["promote"] = round(time.perf_counter() - started, 3)
        publish = await self._load(publish_id)
        if publish.step == "promoted":
            started = time.perf_counter()
            await self._progress(publish_id, "translating")
            opened, translated = await fan_out(self.ctx, publish_id)
            if translated:  # an automatic provider's results go live in this same publish
                await self._promote(publish_id, only=set(translated), from_step="promoted")
            timings["translate"] = round(time.perf_counter() - started, 3)
            publish = await self._load(publish_id)
            await self._save(
                publish_id, step="translated", counts={**publish.counts, "translation_tasks": opened}
            )
        # Build, gate and switch always run from scratch on resume: a half-written slot is simply rebuilt.
        await self._build_and_deploy(publish_id, timings)

    async def _progress(self, publish_id: str, step: str, done: int = 0, total: int = 0) -> None:
        await self._save(publish_id, progress={"step": step, "done": done, "total": total})

    async def _promote(
        self, publish_id: str, *, only: set[str] | None = None, from_step: str = "queued"
    ) -> None:
        """Make due drafts live, in one transaction that also records the step (so it runs once)."""
        now = self.ctx.clock()
        async with self.ctx.db.write() as session:
            publish = await session.get_one(Publish, publish_id, with_for_update=True)
            if publish.step != from_step:
                return
            manifest_paths = (
                only
                if only is not None
                else {p["path"] for p in publish.manifest.get("pages", []) if p["change_type"] != "removed"}
            )
            promoted: dict[str, Any] = dict(publish.promoted)
            pages = await session.exec(
                select(Page).where(Page.project_id == publish.project_id, col(Page.id).in_(manifest_paths))
            )
            for page in pages:
                if not is_due(page, now):
                    continue
                rev = await session.get_one(PageRevision, page.draft_revision_id)
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
                await session.flush()
                await search_index.reindex(session, page)
            publish.promoted, publish.step = promoted, "promoted"
            publish.counts = {**publish.counts, "promoted": len(promoted)}
            session.add(publish)

    async def _build_and_deploy(self, publish_id: str, timings: dict[str, float]) -> None:
        settings = self.ctx.settings
        publish = await self._load(publish_id)
        async with self.ctx.db.read() as session:
            project = await session.get_one(Project, publish.project_id)
            nav = await current_nav(session, project.id)
            config = site_config(project, site_url(settings.public_url, project), nav)
            pages = await site_pages(session, project)
            theme = dict(project.theme or {})
        sites = settings.sites_dir
        previous = deploy.active_slot(sites, project.id)
        slot = deploy.next_slot(sites, project.id)
        out = deploy.slot_path(sites, project.id, slot)
        await self._progress(publish_id, "building", 0, len(pages))
        started = time.perf_counter()
        seed = deploy.slot_path(sites, project.id, previous) if previous else None
        result = await asyncio.to_thread(_build, config, pages, out, seed)
        timings["build"] = round(time.perf_counter() - started, 3)
        await self._progress(publish_id, "checking", len(pages), len(pages))
        started = time.perf_counter()
        problems = await asyncio.to_thread(check_site, out, config.base_url)
        timings["check"] = round(time.perf_counter() - started, 3)
        if problems:
            raise JobFailed(
                f"The site failed the pre-deploy check ({len(problems)} problems): "
                + "; ".join(problems[:10])
            )
        await self._progress(publish_id, "deploying", len(pages), len(pages))
        deployed = {p.id: {"slug": p.slug, "language": p.language, "title": p.title} for p in pages}
        now = self.ctx.clock()
        async with self.ctx.db.write() as session:
            publish = await session.get_one(Publish, publish_id, with_for_update=True)
            project = await session.get_one(Project, publish.project_id, with_for_update=True)
            for page in await session.exec(select(Page).where(Page.project_id == project.id)):
                on_site = page.id in deployed
                if page.on_site != on_site:
                    page.on_site = on_site
                    session.add(page)
            publish.previous_theme, publish.previous_nav = project.published_theme, project.published_nav
            project.published_theme, project.published_nav = theme, nav
            publish.build_dir, publish.previous_build_dir = slot, previous
            publish.deployed, publish.status, publish.step = deployed, "succeeded", "deployed"
            publish.finished_at = now
            publish.timings = timings
            publish.progress = {"step": "done", "done": len(pages), "total": len(pages)}
            publish.counts = {
                **publish.counts,
                "pages": len(pages),
                "rendered": result.rendered,
                "files_written": len(result.written),
                "files_removed": len(result.removed),
                "bytes": result.total_bytes,
                "full_rebuild": result.full_rebuild,
            }
            session.add_all([publish, project])
        # The switch follows the commit; reconcile_sites() repairs it if we die in between.
        deploy.activate(sites, project.id, slot)

    async def _fail(self, publish_id: str, message: str) -> None:
        async with self.ctx.db.write() as session:
            publish = await session.get_one(Publish, publish_id, with_for_update=True)
            if publish.status != "running":
                return
            await restore_pages(session, publish, keep_as_draft=False)
            publish.status, publish.error, publish.finished_at = "failed", message[:4000], self.ctx.clock()
            publish.progress = {**publish.progress, "step": "failed"}
            session.add(publish)


def _read_state(slot: Path) -> BuildState | None:
    try:
        return BuildState.from_json((slot / STATE_FILE).read_text())
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _build(config: SiteConfig, pages: list[SitePage], out: Path, seed: Path | None) -> BuildResult:
    """Build into ``out`` incrementally from the state that slot holds.

    A slot with no trustworthy state (never built, or a build died in it) is emptied; when the served slot
    has a state, it is copied in first, so even that build only renders what changed since the last deploy.
    """
    state_file = out / STATE_FILE
    previous = _read_state(out)
    if previous is None:
        shutil.rmtree(out, ignore_errors=True)
        seed_state = _read_state(seed) if seed is not None else None
        if seed is not None and seed_state is not None:
            shutil.copytree(seed, out, symlinks=True)
            previous = seed_state
    # The state is dropped before building and written after: a crash mid-build leaves no state, so the
    # next attempt does a full build instead of trusting half-written files.
    state_file.unlink(missing_ok=True)
    result = build_site(config, pages, out, previous)
    state_file.write_text(result.state.to_json())
    return result
