"""Realtime voice providers behind one interface.

A provider turns a live session into something its speech-to-speech model can run: it mints its own
short-lived connect token for the browser, describes the voice tools in its own format, and names the
WebSocket URL a phone call's audio is streamed to (``<Connect><Stream url=…>``). The embedded default
(``EmbeddedSpeechLoop``) needs no provider at all: the browser uses its own speech recognition and
synthesis, the phone line the ``<Gather>``/``<Say>`` loop, and both call the tools over REST.

Adding one: see ``docs/voice.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from ..errors import InvalidInput
from .tools import Channel, Tool


@dataclass(frozen=True)
class SessionSpec:
    """What the core knows about a session when a provider is asked to start it."""

    session_id: str
    project_id: str
    channel: Channel
    language: str
    voice: str
    instructions: str
    tools: Sequence[Tool]
    # The session's token: a provider whose model calls the voice tools back (POST /api/live/tools/execute)
    # sends it as ``Authorization: Bearer``. It must stay on the provider's server side.
    token: str | None = None
    call_sid: str | None = None  # phone sessions


@dataclass(frozen=True)
class ProviderSession:
    provider: str
    connect_token: str | None = None  # the provider's single-use token for the browser; None: not needed
    expires_at: datetime | None = None
    stream_url: str | None = None  # phone: where Twilio streams the call's audio; None: the speech loop
    stream_parameters: Mapping[str, str] = field(default_factory=dict)  # sent in the stream's start message
    details: Mapping[str, Any] = field(default_factory=dict)  # anything else the browser client needs

    def public(self) -> dict[str, Any]:
        """What a session's owner may see (the session start response's ``provider`` object)."""
        return {
            "name": self.provider,
            "connect_token": self.connect_token,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            **dict(self.details),
        }


class RealtimeProvider(Protocol):
    name: str

    def describe_tools(self, tools: Sequence[Tool]) -> list[dict[str, Any]]:
        """The tool declarations in the provider's own format."""
        ...

    async def start(self, spec: SessionSpec) -> ProviderSession:
        """Mint the provider's side of a session (connect token, stream URL). Called after the core has
        counted the session against its quota and stored it; a failure here is the provider's."""
        ...


class EmbeddedSpeechLoop:
    """The default: no external model. Tools are described as the core declares them."""

    name = "embedded"

    def describe_tools(self, tools: Sequence[Tool]) -> list[dict[str, Any]]:
        return [tool.declaration() for tool in tools]

    async def start(self, spec: SessionSpec) -> ProviderSession:
        return ProviderSession(self.name)


ProviderFactory = Callable[[Mapping[str, Any]], RealtimeProvider]


class ProviderRegistry:
    """Providers by name, built by the composition root (the embedded default is always there)."""

    def __init__(self) -> None:
        self._factories: dict[str, ProviderFactory] = {"embedded": lambda _config: EmbeddedSpeechLoop()}

    def register(self, name: str, factory: ProviderFactory) -> None:
        """Make a provider available by name; ``factory(config)`` builds it from its settings."""
        self._factories[name] = factory

    def names(self) -> list[str]:
        return sorted(self._factories)

    def make(self, name: str | None, config: Mapping[str, Any] | None = None) -> RealtimeProvider:
        key = name or "embedded"
        factory = self._factories.get(key)
        if factory is None:
            raise InvalidInput(
                f"Unknown realtime voice provider {key!r}; available: {', '.join(self.names())}.",
                code="unknown_voice_provider",
            )
        return factory(config or {})
