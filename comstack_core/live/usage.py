"""The ``max_sessions_per_day`` meter: sessions started per project, actor and UTC day.

One conditional upsert counts a session: the row is created at 1 or raised by one only while it is below
the limit, and the statement returns nothing when it is not. PostgreSQL locks the conflicting row for
the statement and SQLite runs one writer at a time, so parallel starts can never pass the limit; the
count commits or rolls back with the session it counts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from ..errors import DailyQuotaExceeded
from ..models import LiveUsage, Project
from ..services.access import quota

QUOTA = "max_sessions_per_day"


def seconds_to_midnight(now: datetime) -> int:
    tomorrow = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1, round((tomorrow - now).total_seconds()))


async def count_session(
    session: AsyncSession, project: Project, actor_kind: str, actor_id: str, now: datetime
) -> int:
    """Count one session for the actor today and return today's count; ``DailyQuotaExceeded`` (429)
    when the day's sessions are used up."""
    limit = quota(project, QUOTA)
    row = None
    if limit > 0:
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        values = insert(LiveUsage).values(
            project_id=project.id, actor_kind=actor_kind, actor_id=actor_id, day=now.date(), count=1
        )
        statement = values.on_conflict_do_update(
            index_elements=["project_id", "actor_kind", "actor_id", "day"],
            set_={"count": col(LiveUsage.count) + 1},
            where=col(LiveUsage.count) < limit,
        ).returning(col(LiveUsage.count))
        row = (await (await session.connection()).execute(statement)).first()
    if row is None:
        retry_after = seconds_to_midnight(now)
        raise DailyQuotaExceeded(
            f"The {limit} voice sessions a day this plan allows per caller are used up for project "
            f"{project.name!r}; new sessions start again at midnight UTC (in {retry_after // 60} minutes). A "
            "platform admin can raise max_sessions_per_day.",
            code="voice_quota_exceeded",
            quota=QUOTA,
            limit=limit,
            retry_after=retry_after,
        )
    return int(row[0])
