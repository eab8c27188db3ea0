"""Feedback about the product: anyone signed in reports it, platform admins read it.

A report is its own record of who sent it, through which door and when, and it changes no project, so
it writes no audit row (a project's audit log is for changes to that project).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import and_, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..auth import Principal
from ..clock import new_id
from ..errors import DailyQuotaExceeded
from ..models import Feedback, User
from ..schemas import FeedbackCreate, FeedbackFilter, FeedbackList, FeedbackReceipt, FeedbackView
from ..usecases import Need, use_case
from .access import project_access
from .base import Service

WINDOW = timedelta(hours=24)
THANKS = (
    "Thank you: your feedback is stored for the people who run this ComStack installation. "
    "Carry on with the user's task."
)


class FeedbackService(Service):
    # comstack:read promises the user that nothing is written on their behalf (SPEC §10), and a
    # report stores text the assistant wrote, so it is a write: read-only credentials cannot send one.
    @use_case(Need.caller, writes=True)
    async def report_feedback(self, principal: Principal, data: FeedbackCreate) -> FeedbackReceipt:
        now = self.now()
        # An API key always acts in its one project, so its reports name that project unless told otherwise.
        project_id = data.project_id or (principal.key_project_id if principal.kind == "key" else None)
        async with self.db.write() as session:
            if project_id is not None:
                # A viewer may report about a project; a trial that ended does not silence its users.
                await project_access(session, principal, project_id, now=now)
            await self._check_daily_cap(session, principal)
            row = Feedback(
                id=new_id("fb"),
                kind=data.kind,
                message=data.message,
                tool=data.tool,
                project_id=project_id,
                actor_kind=principal.kind,
                actor_id=principal.actor_id,
                door=principal.door,
                created_at=now,
            )
            session.add(row)
        return FeedbackReceipt(id=row.id, created_at=now, thanks=THANKS)

    @use_case(Need.platform_admin, writes=False)
    async def list_feedback(
        self, principal: Principal, filters: FeedbackFilter | None = None
    ) -> FeedbackList:
        filters = filters or FeedbackFilter()
        conditions = []
        if filters.kind:
            conditions.append(Feedback.kind == filters.kind)
        if filters.project_id:
            conditions.append(Feedback.project_id == filters.project_id)
        async with self.db.read() as session:
            total = (await session.exec(select(func.count()).select_from(Feedback).where(*conditions))).one()
            # Users are joined for their email, so the operator can answer a report.
            rows = await session.exec(
                select(Feedback, User.email)
                .outerjoin(User, and_(Feedback.actor_kind == "user", col(Feedback.actor_id) == User.id))
                .where(*conditions)
                .order_by(col(Feedback.created_at).desc(), col(Feedback.id).desc())
                .offset(filters.offset)
                .limit(filters.limit)
            )
            items = [
                FeedbackView.model_validate(row).model_copy(update={"actor_email": email})
                for row, email in rows
            ]
        return FeedbackList(total=total, feedback=items)

    async def _check_daily_cap(self, session: AsyncSession, principal: Principal) -> None:
        """At most ``feedback_per_day`` reports per actor in any 24 hours.

        Under concurrent reports from one actor on PostgreSQL the count may overshoot by the reports in
        flight; the cap bounds abuse, it is not an exact meter.
        """
        limit = self.ctx.settings.feedback_per_day
        since = self.now() - WINDOW
        same_actor = [
            Feedback.actor_kind == principal.kind,
            col(Feedback.actor_id).is_(None)
            if principal.actor_id is None
            else Feedback.actor_id == principal.actor_id,
            col(Feedback.created_at) > since,
        ]
        used, oldest = (
            await session.exec(select(func.count(), func.min(Feedback.created_at)).where(*same_actor))
        ).one()
        if used < limit:
            return
        # The window slides: the next report fits once the oldest one counted is 24 hours old.
        wait = (oldest + WINDOW - self.now()) if oldest is not None else WINDOW
        retry_after = max(1, round(wait.total_seconds()))
        raise DailyQuotaExceeded(
            f"This caller sent {used} feedback reports in the last 24 hours; the limit is {limit}. Wait "
            f"{_duration(retry_after)} before sending more, and put related points into one report.",
            code="feedback_quota_exceeded",
            limit=limit,
            used=used,
            retry_after=retry_after,
        )


def _duration(seconds: int) -> str:
    if seconds >= 3600:
        return f"about {round(seconds / 3600)} hour(s)"
    return f"about {max(1, round(seconds / 60))} minute(s)"
