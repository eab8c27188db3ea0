"""Live voice transcripts: what callers asked the browser voice page and the phone line, and what the
knowledge could not answer."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from comstack_core import Core, Principal
from comstack_core.schemas.live import (
    SESSION_ID_DOC,
    VoiceSessionDetail,
    VoiceSessionFilter,
    VoiceSessionList,
)

from ..spec import READ, ToolSpec
from .common import ProjectArg, part


class ListVoiceSessionsArgs(VoiceSessionFilter, ProjectArg):
    pass


async def list_voice_sessions(
    core: Core, principal: Principal, args: ListVoiceSessionsArgs
) -> VoiceSessionList:
    return await core.transcripts.list_sessions(principal, args.project_id, part(args, VoiceSessionFilter))


class VoiceSessionArgs(ProjectArg):
    session_id: str = Field(min_length=1, max_length=64, description=SESSION_ID_DOC)


async def get_voice_session(core: Core, principal: Principal, args: VoiceSessionArgs) -> VoiceSessionDetail:
    return await core.transcripts.get_session(principal, args.project_id, args.session_id)


TOOLS: list[ToolSpec[Any]] = [
    ToolSpec(
        name="list-voice-sessions",
        title="List voice sessions",
        description=(
            "Lists a project's live voice sessions (browser voice page and phone calls), newest first: who "
            "(user, key or the number called, and the caller's number), when, channel, language, turn and "
            "question counts, unanswered_count and the voice tools called. unanswered=true keeps the sessions "
            "with questions the knowledge could not answer; read them with get-voice-session to find the "
            "pages worth writing. Managers."
        ),
        input=ListVoiceSessionsArgs,
        handler=list_voice_sessions,
        min_role="manager",
        writes=False,
        hints=READ,
    ),
    ToolSpec(
        name="get-voice-session",
        title="Get voice session",
        description=(
            "One voice session's transcript: every turn in order (what the caller said or asked, what was "
            "said back, the tool and its arguments, whether a question was answered and from which page) and "
            "unanswered_questions, the questions nothing answered. To fill a gap, write a page that answers "
            "them (create-page) and publish it. Managers."
        ),
        input=VoiceSessionArgs,
        handler=get_voice_session,
        min_role="manager",
        writes=False,
        hints=READ,
    ),
]
