"""Error codes of live voice: sessions, voice tools, the phone line, transcripts and realtime providers."""

from __future__ import annotations

from .entry import ErrorInfo as _E

CODES: dict[str, _E] = {
    "unknown_tool": _E("The voice tool named does not exist.",
                       "Call one of the tools the session declared (search_knowledge, get_page, transfer_call)."),
    "invalid_tool_arguments": _E("The voice tool's arguments are missing, extra or of the wrong type.",
                                 "Send the arguments the tool's declaration lists."),
    "unknown_voice_provider": _E("The configured realtime voice provider is not known.",
                                 "Set the voice provider to 'embedded' or to a provider the server has."),
    "user_not_provisioned": _E("The sign-in is valid but no ComStack user exists for it.",
                               "Ask the operator to create the user and a manager to add them to the project."),
    "not_a_member": _E("The caller is not a member of the project the voice session is for.",
                       "Ask a project manager to add you, or use an access key of the project."),
    "voice_quota_exceeded": _E("The caller used up today's voice sessions (max_sessions_per_day).",
                               "Wait until midnight UTC (retry_after) or ask a platform admin to raise the quota."),
    "invalid_session_token": _E("The session token is missing or does not belong to that voice session.",
                                "Send the token POST /api/live/session returned with the session, or start anew."),
    "session_expired": _E("The voice session's 30 minutes are over.", "Start a new session."),
    "voice_session_not_found": _E("No such voice session in the project.",
                                  "Call list-voice-sessions and use one of the ids it returns."),
    "voice_page_not_found": _E("No project with that slug has its voice_web module on.",
                               "Check the project's slug and enable voice_web."),
    "invalid_phone_number": _E("A phone number is not in E.164 form.", "Write numbers like '+15555550100'."),
    "invalid_voice_config": _E("A voice module setting is unknown or malformed.",
                               "Use the settings the message lists (numbers, transfer_to, language, voice, greeting, "
                               "auth_token)."),
    "number_taken": _E("The phone number already leads to another project.", "Remove it from that project first."),
    "invalid_twilio_signature": _E("The webhook's X-Twilio-Signature is missing or wrong.",
                                   "Point Twilio at COMSTACK_PUBLIC_URL + /api/live/twilio/voice and check the "
                                   "auth token."),
    "twilio_not_configured": _E("No Twilio auth token is configured for the called number.",
                                "Set COMSTACK_TWILIO_AUTH_TOKEN or the voice_phone module's auth_token."),
    "invalid_webhook": _E("The Twilio webhook lacks a field it always sends (CallSid).",
                          "Send Twilio's voice webhook parameters."),
    "call_mismatch": _E("The CallSid belongs to a call of another line.", "Do not reuse CallSids across lines."),
}
