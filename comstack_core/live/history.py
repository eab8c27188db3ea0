"""Voice transcripts for a project's managers: who talked to the line, when, through which channel,
what they asked, which tools ran and which questions nobody answered (pages worth writing)."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import col, select

from ..auth import Principal, Role
from ..errors import NotFound
from ..models import LiveSession, LiveTurn
from ..schemas.live import (
    VoiceSessionDetail,
    VoiceSessionFilter,
    VoiceSessionList,
    VoiceSessionSummary,
    VoiceTurnView,
)
from ..services.access import project_access
from ..services.base import Service


class TranscriptService(Service):
    async def list_sessions(
        self, principal: Principal, project_id: str, filters: VoiceSessionFilter | None = None
    ) -> VoiceSessionList:
        filters = filters or VoiceSessionFilter()
        conditions = [col(LiveSession.project_id) == project_id]
        if filters.channel:
            conditions.append(col(LiveSession.channel) == filters.channel)
        if filters.unanswered:
            conditions.append(col(LiveSession.unanswered_count) > 0)
        async with self.db.read() as session:
            await project_access(session, principal, project_id, Role.manager, write=False, now=self.now())
            total = (
                await session.exec(select(func.count()).select_from(LiveSession).where(*conditions))
            ).one()
            rows = await session.exec(
                select(LiveSession)
                .where(*conditions)
                .order_by(col(LiveSession.started_at).desc(), col(LiveSession.id).desc())
                .offset(filters.offset)
                .limit(filters.limit)
            )
            sessions = [VoiceSessionSummary.model_validate(row) for row in rows]
        return VoiceSessionList(total=total, sessions=sessions)

    async def get_session(self, principal: Principal, project_id: str, session_id: str) -> VoiceSessionDetail:
        async with self.db.read() as session:
            await project_access(session, principal, project_id, Role.manager, write=False, now=self.now())
            live = await session.get(LiveSession, session_id)
            if live is None or live.project_id != project_id:
                raise NotFound(
                    f"No voice session {session_id!r} in this project; list-voice-sessions gives the ids.",
                    code="voice_session_not_found",
                )
            turns = [
                VoiceTurnView.model_validate(t)
                for t in await session.exec(
                    select(LiveTurn).where(LiveTurn.session_id == session_id).order_by(col(LiveTurn.seq))
                )
            ]
        summary = VoiceSessionSummary.model_validate(live)
        unanswered = [t.heard for t in turns if t.answered is False and t.heard]
        return VoiceSessionDetail(**summary.model_dump(), turns=turns, unanswered_questions=unanswered)
