"""A realtime voice provider behind the adapter interface: registered by name, it mints its connect token
for the browser, hands phone calls to its WebSocket with <Connect><Stream>, and its model calls the voice
tools back with the session's token. The provider here is a test adapter standing in for a remote
service (it records what the core handed it)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from twilio.request_validator import RequestValidator

from comstack_core.live.providers import ProviderSession, SessionSpec
from comstack_core.live.tools import Tool

from .conftest import Voice
from .test_twilio import NUMBER, TOKEN, WEBHOOK, phone_line


class StreamingProvider:
    name = "streaming"

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config
        self.started: list[SessionSpec] = []

    def describe_tools(self, tools: Sequence[Tool]) -> list[dict[str, Any]]:
        return [{"type": "function", **tool.declaration()} for tool in tools]

    async def start(self, spec: SessionSpec) -> ProviderSession:
        self.started.append(spec)
        return ProviderSession(
            self.name,
            connect_token=f"ek_{len(self.started)}",
            expires_at=datetime(2030, 1, 1, tzinfo=UTC),
            stream_url=f"wss://{self.config['host']}/media" if spec.channel == "phone" else None,
            stream_parameters={"session": spec.session_id},
            details={"model": "voice-1"},
        )


@pytest.fixture
def provider(voice: Voice, monkeypatch: pytest.MonkeyPatch) -> StreamingProvider:
    made: list[StreamingProvider] = []

    def factory(config: Mapping[str, Any]) -> StreamingProvider:
        if not made:  # one instance, so the test sees every session it started
            made.append(StreamingProvider(config))
        return made[0]

    voice.core.voice_providers.register("streaming", factory)
    monkeypatch.setattr(voice.core.settings, "voice_provider", "streaming")
    monkeypatch.setattr(voice.core.settings, "voice_provider_config", {"host": "rt.example.com"})
    return factory({"host": "rt.example.com"})


async def test_a_browser_session_gets_the_providers_connect_token(
    voice: Voice, provider: StreamingProvider
) -> None:
    body = (await voice.start("viewer")).json()
    assert body["provider"] == {
        "name": "streaming",
        "connect_token": "ek_1",
        "expires_at": "2030-01-01T00:00:00+00:00",
        "model": "voice-1",
    }
    assert body["tools"][0]["type"] == "function" and body["tools"][0]["name"] == "search_knowledge"
    spec = provider.started[0]
    assert spec.session_id == body["session_id"] and spec.token == body["token"] and spec.channel == "web"
    resumed = await voice.rest.client.post(
        "/api/live/session/resume",
        headers={"authorization": f"Bearer {body['token']}"},
        json={"session_id": body["session_id"]},
    )
    assert resumed.json()["provider"]["connect_token"] == "ek_2"  # a fresh single-use token


async def test_a_call_is_streamed_to_the_provider_whose_model_calls_the_tools(
    voice: Voice, provider: StreamingProvider
) -> None:
    await phone_line(voice)
    url = "http://testserver" + WEBHOOK
    params = {"CallSid": "CA" + "7" * 32, "From": "+14155550199", "To": NUMBER, "AccountSid": "AC1"}
    signature = RequestValidator(TOKEN).compute_signature(url, params)
    response = await voice.rest.client.post(WEBHOOK, data=params, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200, response.text
    stream = ET.fromstring(response.text).find("Connect/Stream")
    assert stream is not None and stream.attrib["url"] == "wss://rt.example.com/media"
    spec = provider.started[0]
    assert stream.find("Parameter").attrib == {"name": "session", "value": spec.session_id}
    assert spec.channel == "phone" and spec.call_sid == params["CallSid"] and spec.token

    # The provider's model asks a question through the tools route with the session's token.
    answered = await voice.rest.client.post(
        "/api/live/tools/execute",
        headers={"authorization": f"Bearer {spec.token}"},
        json={
            "session_id": spec.session_id,
            "name": "search_knowledge",
            "arguments": {"query": "When is the bakery open on Saturdays?"},
        },
    )
    assert answered.status_code == 200 and "7 am to 6 pm" in answered.json()["result"]["speech"]
    detail = await voice.core.transcripts.get_session(voice.world.manager, voice.project_id, spec.session_id)
    assert [t.kind for t in detail.turns] == ["tool"] and detail.channel == "phone"
