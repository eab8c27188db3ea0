"""One turn of a phone call: Twilio's webhook parameters in, TwiML out.

The door checks the signature (``phone.signature_valid``), maps the called number to a project and its
``PhoneLine`` (unknown: ``twiml.unknown_number()``), opens or finds the call's session by ``CallSid``, then
calls ``call_turn``. The turn number and the count of silent turns ride in the ``action`` URL's query
(``?turn=2&silent=1``), so the line needs no state of its own between Twilio's requests; Twilio signs
that query too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

from . import twiml
from .knowledge import Knowledge
from .messages import say
from .phone import DEFAULT_VOICE, Intent, Step, classify_speech, decide_step
from .providers import ProviderSession

MAX_TURNS = 200  # a call that goes on longer is ended politely (a loop, or a line left open)


@dataclass(frozen=True)
class PhoneLine:
    """A called number's project and how its line behaves (from the ``voice_phone`` module config)."""

    project_name: str
    language: str  # the caller's language: the line's configured locale, else the project's default
    transfer_to: str | None = None  # E.164 number for transfer requests; None: no transfer
    voice: str = DEFAULT_VOICE
    greeting: str | None = None  # None: the standard greeting in the line's language


@dataclass(frozen=True)
class TurnState:
    turn: int = 0  # 0: the incoming call; 1…: answers to a <Gather>
    silent: int = 0  # silent turns in a row before this one


def parse_turn(query: Mapping[str, str]) -> TurnState:
    """The state a previous turn put in the action URL; anything malformed counts as a new call."""

    def number(key: str) -> int:
        value = str(query.get(key, "0"))
        return min(int(value), 10_000) if value.isdigit() else 0

    return TurnState(number("turn"), number("silent"))


def action_url(webhook_url: str, state: TurnState) -> str:
    """The public webhook URL with the next turn's state as its query (replacing any earlier one)."""
    parts = urlsplit(webhook_url)
    return urlunsplit(parts._replace(query=urlencode({"turn": state.turn, "silent": state.silent})))


@dataclass(frozen=True)
class CallTurn:
    twiml: str
    state: TurnState  # this turn's
    speech: str | None = None  # what the caller said (``SpeechResult``); None on the first request
    step: Step | None = None  # None for the greeting and for a stream hand-off


async def call_turn(
    line: PhoneLine,
    params: Mapping[str, str],
    state: TurnState,
    *,
    knowledge: Knowledge,
    webhook_url: str,
    provider: ProviderSession | None = None,
) -> CallTurn:
    speaking = twiml.Line(line.language, line.voice)
    if state.turn == 0:
        if provider is not None and provider.stream_url:
            return CallTurn(twiml.stream(provider.stream_url, provider.stream_parameters), state)
        text = line.greeting or say("greeting", line.language, name=line.project_name)
        return CallTurn(twiml.greeting(text, speaking, action_url(webhook_url, TurnState(1, 0))), state)
    speech = (params.get("SpeechResult") or "").strip() or None
    intent = classify_speech(speech)
    silent = state.silent + 1 if intent is Intent.silence else 0
    if state.turn >= MAX_TURNS:
        step = decide_step(Intent.goodbye, line.language)
    else:
        answer = await knowledge.answer(speech, line.language) if intent is Intent.question and speech else None
        step = decide_step(intent, line.language, answer=answer, transfer_to=line.transfer_to, silent_turns=silent)
    next_url = action_url(webhook_url, TurnState(state.turn + 1, silent))
    return CallTurn(twiml.step(step, speaking, next_url), state, speech, step)
