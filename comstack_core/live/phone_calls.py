"""The phone line: Twilio's voice webhook in, TwiML out.

Every request is checked against ``X-Twilio-Signature`` over the public URL Twilio called (the project's
``voice_phone`` auth token, else ``COMSTACK_TWILIO_AUTH_TOKEN``). The called number (``To``) picks the
project; a call is a session keyed by ``CallSid``: counted against the day's quota on its first request
(per called number), its turns appended to the transcript as they happen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..auth import hash_secret
from ..clock import new_id
from ..errors import DailyQuotaExceeded, Forbidden, InvalidInput
from ..models import LiveSession, Project
from ..services.base import Context, Service
from . import twiml
from .calls import PhoneLine, call_turn, parse_turn
from .knowledge import LiveKnowledge, spoken_language
from .messages import instructions
from .numbers import project_for_number
from .phone import DEFAULT_VOICE, public_request_url, signature_valid
from .providers import ProviderRegistry, ProviderSession, SessionSpec
from .records import call_record
from .sessions import new_session_token
from .tools import TOOLS
from .transcripts import append_turn, locked_session
from .usage import count_session

MAX_SID = 64


@dataclass(frozen=True)
class Webhook:
    """One request of Twilio's voice webhook, as the door received it."""

    path: str  # the request path, e.g. /api/live/twilio/voice
    query: str  # the raw query string ("turn=2&silent=0"), signed by Twilio with the rest
    params: Mapping[str, Any]  # the form fields (a multi-dict is fine)
    signature: str | None
    signature_settings: str | None = None


class PhoneService(Service):
    def __init__(self, ctx: Context, providers: ProviderRegistry) -> None:
        super().__init__(ctx)
        self.providers = providers

    def _check_signature(self, token: str | None, hook: Webhook) -> None:
        url = public_request_url(self.ctx.settings.public_url, hook.path, hook.query)
        if not token:
            raise Forbidden(
                "No Twilio auth token is configured for this number: set COMSTACK_TWILIO_AUTH_TOKEN or the "
                "voice_phone module's auth_token.",
                code="twilio_not_configured",
            )
        if not signature_valid(token, url, hook.params, hook.signature, hook.signature_settings):
            raise Forbidden(
                "The X-Twilio-Signature header is missing or does not match this request. Twilio signs the "
                "URL it called: set COMSTACK_PUBLIC_URL to the public address the webhook points at.",
                code="invalid_twilio_signature",
            )

    async def answer_call(self, hook: Webhook) -> str:
        """The TwiML for one webhook request (the incoming call, or a ``<Gather>`` action)."""
        settings = self.ctx.settings
        to = str(hook.params.get("To") or "").strip()
        async with self.db.read() as session:
            project = await project_for_number(session, to) if to else None
        if project is None:
            # Nothing of a project is revealed or stored; with an installation token the request must
            # still be Twilio's.
            if settings.twilio_auth_token:
                self._check_signature(settings.twilio_auth_token, hook)
            return twiml.unknown_number()
        config = dict((project.modules or {}).get("voice_phone") or {})
        self._check_signature(config.get("auth_token") or settings.twilio_auth_token, hook)
        call_sid = str(hook.params.get("CallSid") or "").strip()
        if not call_sid or len(call_sid) > MAX_SID:
            raise InvalidInput("The webhook has no CallSid.", code="invalid_webhook")
        language = spoken_language(project, config.get("language"))
        line = PhoneLine(
            project_name=project.name,
            language=language,
            transfer_to=config.get("transfer_to"),
            voice=str(config.get("voice") or DEFAULT_VOICE),
            greeting=config.get("greeting"),
        )
        state = parse_turn(_query(hook.query))
        try:
            live, token = await self._call_session(project, call_sid, to, hook.params, language)
        except DailyQuotaExceeded:
            return twiml.line_busy(line.language, line.voice)
        provider: ProviderSession | None = None
        if state.turn == 0:
            provider = await self._provider_session(project, live, token, line)
        turn = await call_turn(
            line,
            {k: str(v) for k, v in hook.params.items()},
            state,
            knowledge=LiveKnowledge(self.db, project, settings.public_url),
            webhook_url=public_request_url(settings.public_url, hook.path),
            provider=provider,
        )
        record = call_record(turn, language)
        now = self.now()
        async with self.db.write() as session:
            row = await locked_session(session, live.id)
            if row is not None:
                if record is not None:
                    append_turn(session, row, record, now)
                if turn.step is not None and turn.step.ends_call:
                    row.ended_at = now
                row.last_active_at = now
                session.add(row)
        return turn.twiml

    async def _call_session(
        self, project: Project, call_sid: str, to: str, params: Mapping[str, Any], language: str
    ) -> tuple[LiveSession, str | None]:
        """The call's session, started (and counted) on the call's first request. The token is returned
        only when the session is new (it is stored hashed)."""
        now = self.now()
        try:
            async with self.db.write() as session:
                found = await _existing_call(session, project, call_sid)
                if found is not None:
                    return found, None
                await count_session(session, project, "phone", to, now)
                token = new_session_token()
                caller = str(params.get("From") or "")[:40] or None
                live = LiveSession(
                    id=new_id("lvs"),
                    project_id=project.id,
                    channel="phone",
                    actor_kind="phone",
                    actor_id=to,
                    caller=caller,
                    call_sid=call_sid,
                    language=language,
                    provider=self.ctx.settings.voice_provider,
                    token_hash=hash_secret(token),
                    started_at=now,
                    expires_at=now + _ttl(self.ctx),
                    last_active_at=now,
                )
                session.add(live)
                return live, token
        except (IntegrityError, DailyQuotaExceeded):
            # Twilio sent the call's first request twice at once (a retry): both found no session, and the
            # later one was stopped by the CallSid's unique index, or by the day's quota the earlier one had
            # just used up. It is answered from the earlier one's session; its own count was rolled back.
            async with self.db.read() as session:
                found = await _existing_call(session, project, call_sid)
            if found is None:
                raise
            return found, None

    async def _provider_session(
        self, project: Project, live: LiveSession, token: str | None, line: PhoneLine
    ) -> ProviderSession | None:
        settings = self.ctx.settings
        provider = self.providers.make(settings.voice_provider, settings.voice_provider_config)
        if provider.name == "embedded" or token is None:
            return None
        return await provider.start(
            SessionSpec(
                session_id=live.id,
                project_id=project.id,
                channel="phone",
                language=live.language,
                voice=line.voice,
                instructions=instructions(project.name, live.language),
                tools=TOOLS,
                token=token,
                call_sid=live.call_sid,
            )
        )


async def _existing_call(session: AsyncSession, project: Project, call_sid: str) -> LiveSession | None:
    found = (await session.exec(select(LiveSession).where(LiveSession.call_sid == call_sid))).first()
    if found is not None and found.project_id != project.id:
        raise Forbidden("This CallSid belongs to a call of another line.", code="call_mismatch")
    return found


def _ttl(ctx: Context) -> timedelta:
    return timedelta(seconds=ctx.settings.live_session_ttl_seconds)


def _query(raw: str) -> dict[str, str]:
    return dict(parse_qsl(raw))
