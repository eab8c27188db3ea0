"""The publishing use cases (SPEC §6): dry run → confirm → background job (``runner.py``) → status; revert
and history."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..auth import Principal
from ..clock import new_id
from ..errors import Conflict, NotFound
from ..models import Project, Publish
from ..models.types import json_text
from ..rules.contrast import check_contrast
from ..schemas import (
    ProgressStage,
    PublishConfirm,
    PublishCounts,
    PublishDryRun,
    PublishProgress,
    PublishRequest,
    PublishRevert,
    PublishStarted,
    PublishStatus,
    PublishStep,
)
from ..services.access import check_name_echo, project_access, require_module
from ..services.base import Context, Service, audit
from ..services.installation import public_url
from ..usecases import Need, use_case
from . import deploy
from .build_input import site_url
from .job import progress
from .manifest import PlannedManifest, build_manifest, describe_drift
from .tokens import check_token, issue_token, spend_token, token_manifest
from .undo import revert

# A job's status without its large columns: the manifest and the deployed set run to megabytes on a site of
# thousands of pages, and clients poll a running job's status several times a second.
STATUS_COLUMNS = tuple(
    col(getattr(Publish, name))
    for name in (
        "id",
        "project_id",
        "status",
        "step",
        "progress",
        "counts",
        "timings",
        "error",
        "site_url",
        "actor_kind",
        "actor_id",
        "created_at",
        "started_at",
        "finished_at",
        "reverted_at",
    )
)


CheckPlan = Callable[[str, str, datetime], Awaitable[list[str]]]
PlanManifest = Callable[[str, str, datetime, bool], Awaitable[PlannedManifest]]


class PublishService(Service):
    def __init__(
        self, ctx: Context, wake_runner: Callable[[], None] | None = None, check_plan: CheckPlan | None = None
    ) -> None:
        super().__init__(ctx)
        self.wake_runner = wake_runner or (lambda: None)
        self.check_plan = check_plan
        self.plan_manifest: PlanManifest = self.manifest_here

    def use_runner(
        self, wake_runner: Callable[[], None], check_plan: CheckPlan, plan_manifest: PlanManifest
    ) -> None:
        """Hand jobs, the dry run's check and the manifests of the dry run and the confirm to a runner
        elsewhere (``comstack_core/runner_process.py``)."""
        self.wake_runner, self.check_plan, self.plan_manifest = wake_runner, check_plan, plan_manifest

    async def manifest_here(
        self, project_id: str, public_url: str, now: datetime, whole: bool
    ) -> PlannedManifest:
        """The manifest of a publish at ``now`` and its hash (``build_manifest``), made in this process;
        ``whole``: with the whole manifest's text, which only the dry run answers with."""
        async with self.db.read(large=True) as session:  # it may read thousands of drafts
            project = await session.get(Project, project_id)
            if project is None:
                raise NotFound(f"Project {project_id} was deleted meanwhile.", code="project_not_found")
            manifest, digest = await build_manifest(
                session,
                project,
                now=now,
                public_url=public_url,
                translation_provider=self.ctx.settings.translation_provider,
            )
        return PlannedManifest.of(manifest, digest, whole=whole)

    def _status(self, publish: Any, project: Project) -> PublishStatus:
        """``publish``: a row of ``STATUS_COLUMNS``."""
        duration = (
            (publish.finished_at - publish.started_at).total_seconds()
            if (publish.finished_at and publish.started_at)
            else None
        )
        return PublishStatus(
            publish_id=publish.id,
            project_id=publish.project_id,
            status=publish.status,
            step=PublishStep(publish.step),
            progress=PublishProgress.model_validate(publish.progress),
            counts=PublishCounts.model_validate(publish.counts),
            timings=publish.timings,
            error=publish.error,
            # The URL the publish was built for (recorded from its dry run), whichever process asks.
            site_url=publish.site_url or site_url(self.ctx.settings.public_url, project),
            actor_kind=publish.actor_kind,
            actor_id=publish.actor_id,
            created_at=publish.created_at,
            started_at=publish.started_at,
            finished_at=publish.finished_at,
            reverted_at=publish.reverted_at,
            duration_seconds=duration,
        )

    async def _statuses(
        self, session: AsyncSession, project: Project, *where: Any, limit: int = 1
    ) -> list[PublishStatus]:
        rows = await session.exec(  # type: ignore[call-overload]
            sa_select(*STATUS_COLUMNS)
            .where(col(Publish.project_id) == project.id, *where)
            .order_by(col(Publish.created_at).desc())
            .limit(limit)
        )
        return [self._status(row, project) for row in rows]

    @use_case(Need.manager, writes=True)
    async def publish(self, principal: Principal, project_id: str, data: PublishRequest) -> PublishDryRun:
        """Dry run: the manifest and a confirmation token; nothing else is written. The planned site is built
        aside and put through the pre-deploy check first: while it would fail, there is no token."""
        now = self.now()
        base_url = await public_url(self.ctx)
        async with self.db.read() as session:
            access = await project_access(session, principal, project_id, now=now)
            project = access.project
            check_name_echo(project, data.project_name)
            require_module(project, "website")
            check_contrast(project.theme or {})  # a theme saved before the rule existed is caught here
        planned = await self.plan_manifest(project_id, base_url, now, True)
        if planned.nothing:
            raise Conflict(
                "Nothing to publish: no approved drafts are due, nothing was taken down or deleted, and theme "
                "and navigation are unchanged. Approve drafts with set-page-status status=ready first.",
                code="nothing_to_publish",
            )
        if self.check_plan is not None and self.ctx.settings.publish_check_plan:
            problems = await self.check_plan(project_id, planned.site_url, now)
            if problems:
                raise Conflict(
                    f"This publish would fail the pre-deploy check of the site ({len(problems)} problems), so "
                    "no confirmation token was issued. Fix each, then run the dry run again:\n"
                    + "\n".join(f"{n}. {problem}" for n, problem in enumerate(problems, 1)),
                    code="site_check_failed",
                    problems=problems,
                )
        # The answer's page entries only now: held through a check of minutes, thousands of them made each of
        # the server's full garbage collections walk them. Off the event loop's thread.
        manifest = await asyncio.to_thread(planned.manifest)
        async with self.db.write() as session:
            await project_access(session, principal, project_id, now=now)
            raw, expires = issue_token(
                session,
                project_id,
                planned,
                created_by=principal.actor_id,
                # From now, not from the dry run's start: checking a large site takes minutes on a busy
                # host, and a token must not be born expired.
                now=self.now(),
                ttl=timedelta(seconds=self.ctx.settings.publish_token_ttl_seconds),
            )
            return PublishDryRun(manifest=manifest, confirmation_token=raw, expires_at=expires)

    @use_case(Need.manager, writes=True)
    async def publish_confirm(
        self, principal: Principal, project_id: str, data: PublishConfirm
    ) -> PublishStarted:
        now = self.now()
        base_url = await public_url(self.ctx)
        # The manifest is made before the write transaction (and, beside a server, in the runner process):
        # at thousands of pages it takes a second or more, and on the embedded database every other write (a
        # save, an API key's last-used stamp) would wait for it. What the job then promotes is what the token was issued for: drafts
        # saved since are no longer approved, so promotion leaves them, as it does for a save made after
        # the confirm and before the job reaches the page.
        async with self.db.read() as session:
            access = await project_access(session, principal, project_id, now=now)
            check_name_echo(access.project, data.project_name)
            require_module(access.project, "website")
            token = await check_token(session, project_id, data.confirmation_token, now)
        planned = await self.plan_manifest(project_id, base_url, now, False)
        if planned.digest != token.manifest_hash:
            async with self.db.read() as session:
                issued_with = await token_manifest(session, token)
            raise Conflict(
                "The project changed since the dry run ("
                + describe_drift(issued_with, json.loads(planned.record))
                + "). "
                "Run publish again, show the user the new manifest and confirm with the new token.",
                code="manifest_drift",
            )
        async with self.db.write() as session:
            access = await project_access(session, principal, project_id, now=now, lock=True)
            project = access.project
            check_name_echo(project, data.project_name)
            require_module(project, "website")
            # Checked again under the lock (used or expired meanwhile), then spent exactly once.
            token = await check_token(session, project_id, data.confirmation_token, now)
            await spend_token(session, token, now)
            running = (
                await session.exec(
                    select(Publish.id).where(Publish.project_id == project_id, Publish.status == "running")
                )
            ).first()
            if running:
                raise Conflict(
                    f"Publish {running} is still running; wait for it (publish-status).",
                    code="publish_running",
                    publish_id=running,
                )
            # Publishes are ordered by created_at (history, "the latest publish", revert): make it strictly
            # increasing per project even when clocks tie or disagree (several hosts, an injected clock).
            last = (
                await session.exec(
                    select(Publish.created_at)
                    .where(Publish.project_id == project_id)
                    .order_by(col(Publish.created_at).desc())
                    .limit(1)
                )
            ).first()
            created = max(now, last + timedelta(microseconds=1)) if last is not None else now
            publish = Publish(
                id=new_id("pub"),
                project_id=project_id,
                actor_kind=principal.kind,
                actor_id=principal.actor_id,
                door=principal.door,
                manifest=json_text(planned.record),
                site_url=planned.site_url,
                progress=progress(ProgressStage.queued),
                created_at=created,
            )
            session.add(publish)
            audit(
                session,
                principal,
                "publish.confirm",
                project_id=project_id,
                targets=[publish.id],
                detail={"pages": planned.pages},
                at=now,
            )
        self.wake_runner()
        return PublishStarted(publish_id=publish.id, status="running", site_url=planned.site_url)

    @use_case(Need.viewer, writes=False)
    async def publish_status(self, principal: Principal, project_id: str, publish_id: str) -> PublishStatus:
        async with self.db.read() as session:
            access = await project_access(session, principal, project_id, now=self.now())
            found = await self._statuses(session, access.project, col(Publish.id) == publish_id)
            if not found:
                raise NotFound(
                    f"No publish {publish_id!r} in this project; see list-publish-history.",
                    code="publish_not_found",
                )
            return found[0]

    @use_case(Need.viewer, writes=False)
    async def list_publish_history(
        self, principal: Principal, project_id: str, limit: int = 20
    ) -> list[PublishStatus]:
        async with self.db.read() as session:
            access = await project_access(session, principal, project_id, now=self.now())
            return await self._statuses(session, access.project, limit=min(max(limit, 1), 200))

    @use_case(Need.manager, writes=True)
    async def revert_publish(
        self, principal: Principal, project_id: str, publish_id: str, data: PublishRevert
    ) -> PublishStatus:
        """Put back the deployment and the live versions the publish replaced."""
        now = self.now()
        async with self.db.write() as session:
            access = await project_access(session, principal, project_id, now=now, lock=True)
            project = access.project
            check_name_echo(project, data.project_name)
            publish = await session.get(Publish, publish_id)
            if publish is None or publish.project_id != project_id:
                raise NotFound(f"No publish {publish_id!r} in this project.", code="publish_not_found")
            if publish.status != "succeeded":
                raise Conflict(
                    f"Publish {publish_id} is {publish.status}; only a succeeded publish can be reverted.",
                    code="not_revertable",
                )
            latest = (
                await session.exec(
                    select(Publish)
                    .where(
                        Publish.project_id == project_id, col(Publish.status).in_(("succeeded", "running"))
                    )
                    .order_by(col(Publish.created_at).desc())
                    .limit(1)
                )
            ).first()
            if latest is None or latest.id != publish_id:
                raise Conflict(
                    "Only the latest publish can be reverted, and none may be running.",
                    code="not_latest_publish",
                )
            window = timedelta(seconds=self.ctx.settings.revert_window_seconds)
            if publish.finished_at is None or now - publish.finished_at > window:
                raise Conflict(
                    f"The revert window ({int(window.total_seconds() // 60)} minutes after the publish) has passed; "
                    "publish the content you want instead.",
                    code="revert_window_passed",
                )
            await revert(session, project, publish, now)
            audit(session, principal, "publish.revert", project_id=project_id, targets=[publish_id], at=now)
        # After the commit: the database is the truth (the previous deployment, or no site after reverting the
        # first publish); a runner's startup re-points a site whose switch was lost.
        await deploy.sync_site(self.ctx, project_id)
        async with self.db.read() as session:
            return (await self._statuses(session, project, col(Publish.id) == publish_id))[0]
