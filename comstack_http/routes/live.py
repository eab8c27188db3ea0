"""Live voice: sessions and voice tool calls (browser or realtime provider), Twilio's voice webhook, and
the transcripts managers read.

The session routes after the start authenticate with the session's own token (``Authorization: Bearer
lvt_…``), which the auth middleware leaves to them; the Twilio webhook authenticates by its signature.
"""

from __future__ import annotations

from starlette.responses import Response

from comstack_core.live.phone import SIGNATURE_HEADER, SIGNATURE_SETTINGS_HEADER
from comstack_core.live.phone_calls import Webhook
from comstack_core.schemas.live import (
    SessionResume,
    SessionStart,
    SessionStarted,
    ToolCall,
    ToolCallResult,
    VoiceSessionDetail,
    VoiceSessionFilter,
    VoiceSessionList,
)

from .spec import Call, RouteSpec

TWIML = "application/xml"


def _header_project(call: Call) -> str | None:
    return call.request.headers.get("x-project-id", "").strip() or None


def _session_token(call: Call) -> str | None:
    scheme, _, token = call.request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def start_live_session(call: Call) -> SessionStarted:
    return await call.core.live.start_session(call.principal, _header_project(call), call.body(SessionStart))


async def resume_live_session(call: Call) -> SessionStarted:
    return await call.core.live.resume_session(
        _session_token(call), call.body(SessionResume), _header_project(call)
    )


async def execute_voice_tool(call: Call) -> ToolCallResult:
    return await call.core.live.execute_tool(_session_token(call), call.body(ToolCall), _header_project(call))


async def twilio_voice(call: Call) -> Response:
    request = call.request
    hook = Webhook(
        path=request.url.path,
        query=request.url.query,
        params=await request.form(),
        signature=request.headers.get(SIGNATURE_HEADER),
        signature_settings=request.headers.get(SIGNATURE_SETTINGS_HEADER),
    )
    return Response(await call.core.phone.answer_call(hook), media_type=TWIML)


async def list_voice_sessions(call: Call) -> VoiceSessionList:
    return await call.core.transcripts.list_sessions(
        call.principal, call.project_id, call.query(VoiceSessionFilter)
    )


async def get_voice_session(call: Call) -> VoiceSessionDetail:
    return await call.core.transcripts.get_session(call.principal, call.project_id, call.param("session_id"))


def specs() -> list[RouteSpec]:
    return [
        RouteSpec(
            "POST",
            "/api/live/session",
            start_live_session,
            "Start a live voice session (header x-project-id; module voice_web; counted against the caller's "
            "daily max_sessions_per_day): token, greeting, instructions and the voice tools",
            "live",
            body=SessionStart,
            response=SessionStarted,
            extra_errors=(404, 429),
        ),
        RouteSpec(
            "POST",
            "/api/live/session/resume",
            resume_live_session,
            "Continue a voice session within its lifetime (Authorization: Bearer <session token>)",
            "live",
            body=SessionResume,
            response=SessionStarted,
            auth=False,
            extra_errors=(400, 403, 404, 429),
        ),
        RouteSpec(
            "POST",
            "/api/live/tools/execute",
            execute_voice_tool,
            "Run a voice tool (search_knowledge, get_page, transfer_call) for a session over its live pages; "
            "the call and its result join the transcript (Authorization: Bearer <session token>)",
            "live",
            body=ToolCall,
            response=ToolCallResult,
            auth=False,
            extra_errors=(400, 403, 404, 429),
        ),
        RouteSpec(
            "POST",
            "/api/live/twilio/voice",
            twilio_voice,
            "Twilio's voice webhook (incoming call and <Gather> actions), checked by X-Twilio-Signature; "
            "answers TwiML",
            "live",
            auth=False,
            media_type=TWIML,
            extra_errors=(400, 403, 429),
        ),
        RouteSpec(
            "GET",
            "/api/projects/{project_id}/live/sessions",
            list_voice_sessions,
            "List the project's voice sessions, newest first, with counts of questions and unanswered ones "
            "(managers)",
            "live",
            query=VoiceSessionFilter,
            response=VoiceSessionList,
        ),
        RouteSpec(
            "GET",
            "/api/projects/{project_id}/live/sessions/{session_id}",
            get_voice_session,
            "One voice session's transcript: every turn, the tools called, the questions nobody answered "
            "(managers)",
            "live",
            response=VoiceSessionDetail,
        ),
    ]
