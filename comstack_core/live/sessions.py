"""Browser voice sessions: start (counted against the daily quota), resume, and the voice tool calls a
session's token authorizes.

A session token is minted once, shown once and stored hashed. It lives ``live_session_ttl_seconds``
(30 minutes) from the start; resuming does not extend it. It authorizes this session's tool calls and
resume and nothing else: the HTTP door leaves it out of the credentials every other route accepts.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..auth import Principal, hash_secret
from ..clock import new_id
from ..errors import Forbidden, InvalidInput, NotFound, ProjectMismatch, Unauthenticated
from ..models import LiveSession, Member, Project, User
from ..rules.locales import enabled
from ..schemas.live import SessionResume, SessionStart, SessionStarted, ToolCall, ToolCallResult
from ..services.access import check_key_project, check_writable_scope, not_found, require_module
from ..services.base import Context, Service
from . import tools as voice_tools
from .knowledge import LiveKnowledge, spoken_language
from .messages import instructions, say
from .phone import DEFAULT_VOICE
from .providers import ProviderRegistry, ProviderSession, RealtimeProvider, SessionSpec
from .records import TurnRecord, tool_record
from .tools import Channel
from .transcripts import append_turn, locked_session
from .usage import count_session
from .web import VoicePage

TOKEN_PREFIX = "lvt_"
MODULE_OF_CHANNEL = {"web": "voice_web", "phone": "voice_phone"}


def new_session_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def is_session_token(raw: str) -> bool:
    return raw.startswith(TOKEN_PREFIX)


@dataclass(frozen=True)
class TokenSession:
    live: LiveSession
    project: Project
    token: str


async def caller_project(session: AsyncSession, principal: Principal, project_id: str) -> Project:
    """The project a caller may start a voice session in: any member (user or key, any role). Tells a key
    of another project, an unknown user and a non-member apart (all 403)."""
    check_key_project(principal, project_id)
    check_writable_scope(principal)  # a session writes a transcript on the caller's behalf
    project = await session.get(Project, project_id)
    if project is None:
        raise not_found(project_id)
    if principal.kind == "user" and not principal.is_platform_admin:
        if principal.user_id is None or await session.get(User, principal.user_id) is None:
            raise Forbidden(
                "Your sign-in is valid but no ComStack user is provisioned for it, so you cannot start a voice "
                "session. Ask the installation's operator to create your user and a project manager to add "
                "you to the project.",
                code="user_not_provisioned",
            )
        if await session.get(Member, (project_id, principal.user_id)) is None:
            raise Forbidden(
                f"You are not a member of project {project.name!r}; a project manager can add you, or use an "
                "access key of the project.",
                code="not_a_member",
            )
    return project


class LiveService(Service):
    def __init__(self, ctx: Context, providers: ProviderRegistry) -> None:
        super().__init__(ctx)
        self.providers = providers

    def provider(self) -> RealtimeProvider:
        return self.providers.make(self.ctx.settings.voice_provider, self.ctx.settings.voice_provider_config)

    def ttl(self) -> timedelta:
        return timedelta(seconds=self.ctx.settings.live_session_ttl_seconds)

    async def start_session(
        self, principal: Principal, project_id: str | None, data: SessionStart
    ) -> SessionStarted:
        if not project_id:
            raise InvalidInput(
                "Name the project of the voice session in the x-project-id header.", code="missing_project_id"
            )
        provider = self.provider()  # an unknown provider is refused before anything is counted
        now = self.now()
        token = new_session_token()
        async with self.db.write() as session:
            project = await caller_project(session, principal, project_id)
            require_module(project, "voice_web")
            await count_session(session, project, principal.kind, principal.actor_id or principal.kind, now)
            config = (project.modules or {}).get("voice_web") or {}
            language = spoken_language(project, data.language or config.get("language"))
            live = LiveSession(
                id=new_id("lvs"),
                project_id=project.id,
                channel="web",
                actor_kind=principal.kind,
                actor_id=principal.actor_id,
                language=language,
                provider=provider.name,
                token_hash=hash_secret(token),
                started_at=now,
                expires_at=now + self.ttl(),
                last_active_at=now,
            )
            session.add(live)
            greeting = self._greeting(project, config, language)
            append_turn(session, live, TurnRecord("greeting", greeting, language), now)
        return await self._started(provider, project, live, token)

    async def resume_session(
        self, token: str | None, data: SessionResume, project_id: str | None
    ) -> SessionStarted:
        """Continue a session inside its lifetime (a page reload, a dropped provider connection): the same
        session and token, and a fresh provider connect token."""
        provider = self.provider()
        found = await self._by_token(data.session_id, token, project_id)
        return await self._started(provider, found.project, found.live, found.token)

    async def execute_tool(self, token: str | None, data: ToolCall, project_id: str | None) -> ToolCallResult:
        found = await self._by_token(data.session_id, token, project_id)
        live, project = found.live, found.project
        config = (project.modules or {}).get("voice_phone") or {}
        context = voice_tools.ToolContext(
            knowledge=LiveKnowledge(self.db, project, self.ctx.settings.public_url),
            language=live.language,
            channel="phone" if live.channel == "phone" else "web",
            transfer_to=config.get("transfer_to") if live.channel == "phone" else None,
        )
        result = await voice_tools.execute(data.name, data.arguments, context)
        now = self.now()
        async with self.db.write() as session:
            row = await locked_session(session, live.id)
            if row is None:  # the project (and its sessions) went away meanwhile
                raise NotFound(f"No voice session {live.id!r}.", code="voice_session_not_found")
            append_turn(session, row, tool_record(result, live.language), now)
        return ToolCallResult(session_id=live.id, name=result.name, result=result.result)

    # -- helpers -------------------------------------------------------------------------------------

    def _greeting(self, project: Project, config: dict[str, object], language: str) -> str:
        return str(config.get("greeting") or say("greeting", language, name=project.name))

    async def voice_page(self, slug: str) -> VoicePage:
        """The browser voice page of a project whose ``voice_web`` module is on (anyone may load it; starting
        a session needs the project's credentials)."""
        async with self.db.read() as session:
            project = (await session.exec(select(Project).where(Project.slug == slug))).first()
        if project is None or not enabled(project.modules or {}, "voice_web"):
            raise NotFound(f"No voice page at {slug!r}.", code="voice_page_not_found")
        return VoicePage(project.id, project.name, project.default_locale)

    async def _by_token(self, session_id: str, token: str | None, project_id: str | None) -> TokenSession:
        if not token or not is_session_token(token):
            raise Unauthenticated(
                "Send the session's token as 'Authorization: Bearer <token>' (POST /api/live/session returns it).",
                code="invalid_session_token",
            )
        now = self.now()
        async with self.db.read() as session:
            live = await session.get(LiveSession, session_id)
            # One answer for an unknown session and a wrong token: a token must not probe for session ids.
            if live is None or not hmac.compare_digest(live.token_hash, hash_secret(token)):
                raise Unauthenticated(
                    f"This token does not authorize voice session {session_id!r}. Send the token that "
                    "POST /api/live/session returned with that session, or start a new session.",
                    code="invalid_session_token",
                )
            if live.expires_at <= now:
                raise Unauthenticated(
                    f"Voice session {session_id!r} expired at {live.expires_at.isoformat()}; start a new "
                    "session with POST /api/live/session.",
                    code="session_expired",
                )
            if project_id is not None and project_id != live.project_id:
                raise ProjectMismatch(
                    f"Voice session {session_id!r} belongs to project {live.project_id!r}, not "
                    f"{project_id!r}; its token works for that project only."
                )
            project = await session.get(Project, live.project_id)
            if project is None:
                raise not_found(live.project_id)
            require_module(project, MODULE_OF_CHANNEL.get(live.channel, "voice_web"))
            return TokenSession(live, project, token)

    async def _started(
        self, provider: RealtimeProvider, project: Project, live: LiveSession, token: str
    ) -> SessionStarted:
        channel: Channel = "phone" if live.channel == "phone" else "web"
        config = (project.modules or {}).get(MODULE_OF_CHANNEL[channel]) or {}
        spoken = str(config.get("voice") or (DEFAULT_VOICE if channel == "phone" else "default"))
        prompt = instructions(project.name, live.language)
        spec = SessionSpec(
            session_id=live.id,
            project_id=project.id,
            channel=channel,
            language=live.language,
            voice=spoken,
            instructions=prompt,
            tools=voice_tools.TOOLS,
            token=token,
            call_sid=live.call_sid,
        )
        minted: ProviderSession = await provider.start(spec)
        return SessionStarted(
            session_id=live.id,
            token=token,
            expires_at=live.expires_at,
            greeting=self._greeting(project, config, live.language),
            voice=spoken,
            instructions=prompt,
            language=live.language,
            channel=channel,
            tools=provider.describe_tools(voice_tools.TOOLS),
            provider=minted.public(),
        )
