"""Whole phone calls over the published demo, driven as Twilio drives them: each request signed with
twilio's RequestValidator over the URL the previous TwiML named, checked the way the door checks it
(public URL rebuilt from path and query), the TwiML parsed and its Gather action followed."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

import pytest
from twilio.request_validator import RequestValidator

from comstack_core.live.calls import (
    MAX_TURNS,
    CallTurn,
    PhoneLine,
    TurnState,
    action_url,
    call_turn,
    parse_turn,
)
from comstack_core.live.messages import say
from comstack_core.live.phone import public_request_url, signature_valid
from comstack_core.live.providers import ProviderSession
from comstack_core.live.records import call_record

from .conftest import Demo

AUTH_TOKEN = "0123456789abcdef0123456789abcdef"
PUBLIC_URL = "https://voice.example.com"
WEBHOOK = PUBLIC_URL + "/api/live/twilio/voice"


@pytest.fixture
def backend() -> str:
    return "sqlite"  # the finder runs on both databases in test_finder/test_questions


@dataclass
class Call:
    """One caller on one line: posts what Twilio would post to the URL the last TwiML named."""

    demo: Demo
    line: PhoneLine
    provider: ProviderSession | None = None
    next_url: str = WEBHOOK
    turns: list[CallTurn] = field(default_factory=list)

    async def post(self, speech: str | None = None) -> ET.Element:
        params = {
            "AccountSid": "AC0000",
            "CallSid": "CA1234",
            "From": "+14155550199",
            "To": "+15555550100",
            "CallStatus": "in-progress",
        }
        if speech is not None:
            params.update({"SpeechResult": speech, "Confidence": "0.92"})
        signature = RequestValidator(AUTH_TOKEN).compute_signature(self.next_url, params)
        # The door's side: the URL Twilio called is rebuilt from the public base, the path and the query.
        parts = urlsplit(self.next_url)
        called = public_request_url(PUBLIC_URL, parts.path, parts.query)
        assert signature_valid(AUTH_TOKEN, called, params, signature)
        assert not signature_valid(AUTH_TOKEN, "http://127.0.0.1:8787" + parts.path, params, signature)
        turn = await call_turn(
            self.line,
            params,
            parse_turn(dict(parse_qsl(parts.query))),
            knowledge=self.demo.knowledge,
            webhook_url=WEBHOOK,
            provider=self.provider,
        )
        self.turns.append(turn)
        root = ET.fromstring(turn.twiml)
        gather = root.find("Gather")
        if gather is not None:
            self.next_url = gather.attrib["action"]
        return root


def says(root: ET.Element) -> list[str]:
    return [s.text or "" for s in root.iter("Say")]


async def test_a_call_through_answer_no_answer_silence_and_transfer(demo: Demo) -> None:
    call = Call(demo, PhoneLine("ComStack Demo", "en", transfer_to="+15555550123"))

    greeting = await call.post()
    assert says(greeting) == [say("greeting", "en", name="ComStack Demo")]
    assert call.next_url == WEBHOOK + "?turn=1&silent=0"
    assert call.turns[-1].step is None and call.turns[-1].state == TurnState(0, 0)

    answered = await call.post("How do I connect Claude to ComStack?")
    assert says(answered) == [
        "Claude, Cursor and ChatGPT manage the site through the MCP server with an API key or by signing in.",
        say("anything_else", "en"),
    ]
    step = call.turns[-1].step
    assert step is not None and step.kind == "answer" and step.answer is not None
    assert step.answer.source is not None and step.answer.source.slug == "guides/assistants"
    assert call.turns[-1].speech == "How do I connect Claude to ComStack?"
    assert call.next_url == WEBHOOK + "?turn=2&silent=0"

    unanswered = await call.post("How much does ComStack cost per month?")
    assert says(unanswered) == [say("no_answer", "en"), say("anything_else", "en")]
    assert call.turns[-1].step is not None and call.turns[-1].step.kind == "no_answer"

    silence = await call.post()
    assert says(silence) == [say("reprompt", "en")]
    assert call.next_url == WEBHOOK + "?turn=4&silent=1"

    transfer = await call.post("Can I talk to a person please?")
    assert [child.tag for child in transfer] == ["Say", "Dial", "Say", "Hangup"]
    assert transfer.find("Dial") is not None and transfer.findtext("Dial") == "+15555550123"
    assert [t.state.turn for t in call.turns] == [0, 1, 2, 3, 4]

    records = [call_record(t, "en") for t in call.turns]
    assert all(r is not None for r in records)
    assert [(r.kind, r.heard, r.answered) for r in records if r] == [
        ("greeting", None, None),
        ("question", "How do I connect Claude to ComStack?", True),
        ("question", "How much does ComStack cost per month?", False),
        ("silence", None, None),
        ("transfer", "Can I talk to a person please?", None),
    ]
    assert records[0] is not None and records[0].said == say("greeting", "en", name="ComStack Demo")
    answered_step = call.turns[1].step
    assert answered_step is not None and answered_step.answer is not None and answered_step.answer.source
    assert records[1] is not None and records[1].source_path == answered_step.answer.source.path
    assert records[1].said.startswith("Claude, Cursor")
    assert records[2] is not None and records[2].source_path is None and records[2].said == say("no_answer", "en")


async def test_goodbye_ends_the_call(demo: Demo) -> None:
    call = Call(demo, PhoneLine("ComStack Demo", "en"))
    await call.post()
    await call.post("What can a viewer do?")
    bye = await call.post("Great, thanks. Goodbye!")
    assert [child.tag for child in bye] == ["Say", "Hangup"]
    assert says(bye) == [say("farewell", "en")]
    last = call_record(call.turns[-1], "en")
    assert last is not None and (last.kind, last.heard) == ("goodbye", "Great, thanks. Goodbye!")


async def test_silence_twice_hangs_up_and_speech_resets_the_count(demo: Demo) -> None:
    call = Call(demo, PhoneLine("ComStack Demo", "en"))
    await call.post()
    await call.post()
    assert call.next_url.endswith("silent=1")
    await call.post("Is there a REST API?")
    assert call.next_url.endswith("silent=0")
    await call.post("")
    ended = await call.post("   ")
    assert [child.tag for child in ended] == ["Say", "Hangup"]


async def test_no_transfer_number_keeps_the_caller_with_the_line(demo: Demo) -> None:
    call = Call(demo, PhoneLine("ComStack Demo", "en", greeting="Welcome to the demo line."))
    assert says(await call.post()) == ["Welcome to the demo line."]
    refused = await call.post("I want to speak with an operator")
    assert [child.tag for child in refused] == ["Gather"]
    assert says(refused) == [say("no_transfer", "en")]


async def test_a_call_in_another_language(demo: Demo) -> None:
    call = Call(demo, PhoneLine("ComStack Demo", "es-MX"))  # the demo has English pages only
    greeting = await call.post()
    gather = greeting.find("Gather")
    assert gather is not None and gather.attrib["language"] == "es-MX"
    answered = await call.post("¿Qué es el MCP?")
    first = answered.find("Gather/Say")
    assert first is not None and first.attrib["language"] == "en-US"  # the English page's text
    assert says(answered)[1] == say("anything_else", "es")
    assert says(await call.post("¿Tienen oficinas en Madrid?"))[0] == say("no_answer", "es")
    assert says(await call.post("Gracias, adiós"))[0] == say("farewell", "es")


async def test_a_realtime_provider_takes_the_call(demo: Demo) -> None:
    provider = ProviderSession(
        "example", stream_url="wss://rt.example.com/twilio", stream_parameters={"session_id": "ses_1"}
    )
    call = Call(demo, PhoneLine("ComStack Demo", "en"), provider=provider)
    root = await call.post()
    stream = root.find("Connect/Stream")
    assert stream is not None and stream.attrib == {"url": "wss://rt.example.com/twilio"}
    assert [(p.attrib["name"], p.attrib["value"]) for p in stream.findall("Parameter")] == [("session_id", "ses_1")]
    assert call_record(call.turns[-1], "en") is None  # the provider records its own tool calls
    # A provider without a stream URL (the embedded default) leaves the call to the speech loop.
    looped = Call(demo, PhoneLine("ComStack Demo", "en"), provider=ProviderSession("embedded"))
    assert (await looped.post()).find("Gather") is not None


async def test_a_call_that_never_ends_is_ended(demo: Demo) -> None:
    call = Call(demo, PhoneLine("ComStack Demo", "en"), next_url=action_url(WEBHOOK, TurnState(MAX_TURNS, 0)))
    root = await call.post("What can a viewer do?")
    assert [child.tag for child in root] == ["Say", "Hangup"]


def test_turn_state_in_the_action_url() -> None:
    assert parse_turn({}) == TurnState(0, 0)
    assert parse_turn({"turn": "3", "silent": "1"}) == TurnState(3, 1)
    assert parse_turn({"turn": "-1", "silent": "x"}) == TurnState(0, 0)
    assert parse_turn({"turn": "99999999"}) == TurnState(10_000, 0)
    assert action_url(WEBHOOK + "?turn=1&silent=0", TurnState(2, 1)) == WEBHOOK + "?turn=2&silent=1"
