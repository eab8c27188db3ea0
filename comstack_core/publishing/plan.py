"""The dry run's prediction of the pre-deploy gate: build the site the next publish would deploy (approved
drafts in, taken-down pages out, the current theme and navigation) into a directory of its own beside the
deployment slots, incrementally from the served build as a job does, and run the same check on it.

Nothing served, kept for a revert or built by a job is touched. The build states are the runner's (their
cache is keyed by file identity, so sharing is safe), and so are the input caches (``InputCaches``: the dry
runs' own, lent the jobs' pages)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from ..models import Project
from ..services.base import Context
from ..services.images import ImageStorage
from ..site import SiteBuildError
from . import build, deploy
from .build import STATE_FILE, VERIFIED_FILE, BuildStates
from .build_input import InputCaches, current_nav, site_config, site_pages
from .site_images import place_images, site_images, with_images

PLAN_DIR = "plan"
PLAN_LOCK = ".plan.lock"


def plan_dir(sites: Path, project_id: str) -> Path:
    return deploy.project_dir(sites, project_id) / PLAN_DIR


def passed_plan(sites: Path, project_id: str) -> Path | None:
    """The dry run's build when its check passed (the caller holds the plan lock). A publish's job starts
    its build from it: it is the site the job is about to build, unless something changed since."""
    out = plan_dir(sites, project_id)
    return out if (out / VERIFIED_FILE).exists() and (out / STATE_FILE).exists() else None


class PlanCheck:
    def __init__(self, ctx: Context, states: BuildStates, inputs: InputCaches) -> None:
        self.ctx, self.states, self.inputs = ctx, states, inputs
        self.images = ImageStorage(ctx.settings)

    async def __call__(self, project_id: str, base_url: str, now: datetime) -> list[str]:
        """Every problem the gate would find in the publish planned at ``now``; [] if it would pass."""
        sites = self.ctx.settings.sites_dir
        async with self.ctx.db.read(large=True) as session:
            project = await session.get_one(Project, project_id)
            nav = await current_nav(session, project.id)
            config = site_config(project, base_url, nav)
            cache, lend = self.inputs.for_plan(project.id)
            pages = await site_pages(session, project, cache, planned_at=now, lend=lend)
            images = await site_images(session, project, pages, config.base_url, self.images)
            pages = with_images(pages, images, self.ctx.settings.public_url)
            config = replace(config, images=images.sizes)
        async with deploy.build_lock(sites, project.id, name=PLAN_LOCK):
            out = plan_dir(sites, project.id)
            served = deploy.active_slot(sites, project.id)
            seed = deploy.slot_path(sites, project.id, served) if served else None
            try:
                result, trusted = await asyncio.to_thread(
                    build.into_slot, config, pages, out, seed, self.states
                )
            except SiteBuildError as error:
                return [str(error)]
            # The job places the uploaded images beside the build before its gate: so does the prediction.
            await asyncio.to_thread(place_images, out, images, self.images)
            full_check = not trusted or result.full_rebuild or bool(result.removed)
            problems = await asyncio.to_thread(
                build.gate, out, config.base_url, result, full_check, images.files
            )
            # As on a slot: every file here passed (into_slot drops the mark before building).
            if not problems:
                (out / VERIFIED_FILE).touch()
            return problems
