"""TwiML for each step of a call, built with ``twilio.twiml.voice_response`` (never by hand).

The speech loop: every answer is said inside a ``<Gather input="speech">`` (so the caller can interrupt
it) whose ``action`` is the next turn's URL; ``actionOnEmptyResult`` makes silence come back too, so the
line can ask again and, after repeated silence, hang up politely.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from twilio.twiml.voice_response import Gather, VoiceResponse

from ..rules.locales import base_language
from .messages import say
from .phone import DEFAULT_VOICE, Step, say_language, speech_language


@dataclass(frozen=True)
class Line:
    """How the line speaks: the caller's language (a project locale) and the ``<Say>`` voice."""

    language: str
    voice: str = DEFAULT_VOICE


def _say(target: VoiceResponse | Gather, text: str, language: str, line: Line) -> None:
    # Text in the caller's language (a page in "es" for an "es-MX" line) is said with the line's regional
    # voice; text from a default-locale fallback page with that language's own.
    if base_language(language) == base_language(line.language):
        language = line.language
    target.say(text, language=say_language(language), voice=line.voice)


def _gather(line: Line, action_url: str) -> Gather:
    return Gather(
        input="speech",
        language=speech_language(line.language),
        action=action_url,
        method="POST",
        speech_timeout="auto",
        action_on_empty_result=True,
    )


def greeting(text: str, line: Line, action_url: str) -> str:
    response = VoiceResponse()
    gather = _gather(line, action_url)
    _say(gather, text, line.language, line)
    response.append(gather)
    return str(response)


def step(result: Step, line: Line, action_url: str) -> str:
    """TwiML for a decided step: answers and prompts gather again; goodbye hangs up; transfer dials."""
    response = VoiceResponse()
    if result.kind == "transfer" and result.dial:
        _say(response, result.say, result.language, line)
        response.dial(result.dial)
        # Reached only when the dialled party hangs up or never answers.
        _say(response, say("farewell", line.language), line.language, line)
        response.hangup()
    elif result.ends_call:
        _say(response, result.say, result.language, line)
        response.hangup()
    else:
        gather = _gather(line, action_url)
        _say(gather, result.say, result.language, line)
        if result.kind in ("answer", "no_answer"):
            _say(gather, say("anything_else", line.language), line.language, line)
        response.append(gather)
    return str(response)


def unknown_number(language: str = "en", voice: str = DEFAULT_VOICE) -> str:
    """A called number no project owns: a polite sentence and hang up (the language is the installation's
    choice; no project is known)."""
    response = VoiceResponse()
    response.say(say("unknown_number", language), language=say_language(language), voice=voice)
    response.hangup()
    return str(response)


def line_busy(language: str, voice: str = DEFAULT_VOICE) -> str:
    """The line took all the calls its plan allows today: say so and hang up."""
    response = VoiceResponse()
    response.say(say("line_busy", language), language=say_language(language), voice=voice)
    response.hangup()
    return str(response)


def stream(url: str, parameters: Mapping[str, str] | None = None) -> str:
    """Hand the call's audio to a realtime voice provider: ``<Connect><Stream url=…>`` with custom
    parameters (the provider receives them in its ``start`` message)."""
    response = VoiceResponse()
    connect = response.connect()
    target = connect.stream(url=url)
    for name, value in (parameters or {}).items():
        target.parameter(name=name, value=value)
    return str(response)
