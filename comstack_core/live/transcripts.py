"""Transcripts: turns appended to a session as they happen, and the session's running counts (turns,
questions, questions nobody answered, tools called) kept beside them for listings."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..models import LiveSession, LiveTurn
from .records import TurnRecord


async def locked_session(session: AsyncSession, session_id: str) -> LiveSession | None:
    """The session row, locked for the transaction (PostgreSQL) so parallel turns get distinct numbers."""
    statement = select(LiveSession).where(LiveSession.id == session_id).with_for_update()
    return (await session.exec(statement)).first()


def append_turn(session: AsyncSession, live: LiveSession, record: TurnRecord, now: datetime) -> None:
    """Add a turn to a session loaded with ``locked_session`` (or just created) in this transaction."""
    live.turn_count += 1
    if record.answered is not None:
        live.question_count += 1
        if not record.answered:
            live.unanswered_count += 1
    if record.tool and record.tool not in live.tools_called:
        live.tools_called = [*live.tools_called, record.tool]
    live.last_active_at = now
    session.add(live)
    session.add(
        LiveTurn(
            session_id=live.id,
            seq=live.turn_count,
            kind=record.kind,
            heard=record.heard,
            said=record.said,
            language=record.language,
            tool=record.tool,
            arguments=record.arguments,
            answered=record.answered,
            source_path=record.source_path,
            created_at=now,
        )
    )
