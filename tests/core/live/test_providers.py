"""The realtime provider interface: the embedded default, the registry, and a provider written against
the interface (a stand-in for an external realtime service, which tests cannot reach)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from comstack_core.errors import InvalidInput
from comstack_core.live.messages import instructions
from comstack_core.live.providers import (
    EmbeddedSpeechLoop,
    ProviderRegistry,
    ProviderSession,
    RealtimeProvider,
    SessionSpec,
)
from comstack_core.live.tools import TOOLS, Tool, declarations

SPEC = SessionSpec(
    session_id="ses_1",
    project_id="prj_1",
    channel="phone",
    language="es-MX",
    voice="alice",
    instructions=instructions("Acme", "es-MX"),
    tools=TOOLS,
    call_sid="CA1",
)


class FunctionStyleProvider:
    """Describes tools as {"type": "function", …}, mints a token, streams calls to its WebSocket."""

    name = "function-style"

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.base = str(config["stream_base"])
        self.started: list[SessionSpec] = []

    def describe_tools(self, tools: Sequence[Tool]) -> list[dict[str, Any]]:
        return [{"type": "function", **tool.declaration()} for tool in tools]

    async def start(self, spec: SessionSpec) -> ProviderSession:
        self.started.append(spec)
        return ProviderSession(
            self.name,
            connect_token=f"ek_{spec.session_id}",
            expires_at=datetime(2030, 1, 1, tzinfo=UTC) + timedelta(minutes=1),
            stream_url=f"{self.base}?session={spec.session_id}" if spec.channel == "phone" else None,
            stream_parameters={"session_id": spec.session_id},
            details={"model": "voice-1"},
        )


async def test_the_embedded_default_needs_no_provider() -> None:
    registry = ProviderRegistry()
    provider = registry.make(None)
    assert isinstance(provider, EmbeddedSpeechLoop) and provider.name == "embedded"
    assert registry.make("embedded").name == "embedded"
    assert provider.describe_tools(TOOLS) == declarations()
    session = await provider.start(SPEC)
    assert session == ProviderSession("embedded")
    assert session.stream_url is None  # the phone line runs its own speech loop
    assert session.public() == {"name": "embedded", "connect_token": None, "expires_at": None}


async def test_a_registered_provider() -> None:
    registry = ProviderRegistry()
    registry.register("function-style", FunctionStyleProvider)
    assert registry.names() == ["embedded", "function-style"]
    provider: RealtimeProvider = registry.make("function-style", {"stream_base": "wss://rt.example.com/twilio"})
    described = provider.describe_tools(TOOLS)
    assert [d["type"] for d in described] == ["function"] * 3
    assert [d["name"] for d in described] == [t.name for t in TOOLS]
    session = await provider.start(SPEC)
    assert session.stream_url == "wss://rt.example.com/twilio?session=ses_1"
    assert session.public() == {
        "name": "function-style",
        "connect_token": "ek_ses_1",
        "expires_at": "2030-01-01T00:01:00+00:00",
        "model": "voice-1",
    }
    # The stream's parameters go to Twilio only, never into the browser's view of the session.
    assert "session_id" not in session.public()
    web = await provider.start(SessionSpec(**{**SPEC.__dict__, "channel": "web", "call_sid": None}))
    assert web.stream_url is None and web.connect_token == "ek_ses_1"


def test_an_unknown_provider_is_a_clear_error() -> None:
    with pytest.raises(InvalidInput) as caught:
        ProviderRegistry().make("openai-realtime")
    assert caught.value.code == "unknown_voice_provider"
    assert caught.value.message == "Unknown realtime voice provider 'openai-realtime'; available: embedded."


def test_instructions_keep_the_model_to_the_knowledge() -> None:
    text = instructions("Acme Help", "es-MX")
    assert "Acme Help" in text and "es-MX" in text
    for tool in TOOLS:
        assert tool.name in text
    assert "never guess" in text
