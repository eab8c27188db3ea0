"""TwiML for each step, parsed back as XML and checked element by element."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from comstack_core.live import twiml
from comstack_core.live.knowledge import Answer
from comstack_core.live.messages import say
from comstack_core.live.phone import Intent, decide_step

ACTION = "https://voice.example.com/api/live/twilio/voice?turn=1&silent=0"
EN = twiml.Line("en")
ES = twiml.Line("es-MX", voice="Polly.Mia")


def parse(document: str) -> ET.Element:
    assert document.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(document)
    assert root.tag == "Response"
    return root


def shape(element: ET.Element) -> list[str]:
    return [child.tag for child in element]


def check_gather(gather: ET.Element, language: str, action: str = ACTION) -> None:
    assert gather.tag == "Gather"
    assert gather.attrib == {
        "input": "speech",
        "language": language,
        "action": action,
        "method": "POST",
        "speechTimeout": "auto",
        "actionOnEmptyResult": "true",
    }


def check_say(element: ET.Element, text: str, language: str, voice: str = "alice") -> None:
    assert element.tag == "Say"
    assert element.attrib == {"language": language, "voice": voice}
    assert element.text == text


def test_greeting_gathers_speech() -> None:
    root = parse(twiml.greeting("Hello & welcome <friend>", EN, ACTION))
    assert shape(root) == ["Gather"]
    check_gather(root[0], "en-US")
    assert shape(root[0]) == ["Say"]
    check_say(root[0][0], "Hello & welcome <friend>", "en-US")  # escaped by the library, read back intact


def test_an_answer_is_said_and_the_line_gathers_again() -> None:
    answer = Answer("q", True, "Los pedidos se envían en dos días.", "es", None, 0.9)
    root = parse(twiml.step(decide_step(Intent.question, "es-MX", answer=answer), ES, ACTION))
    assert shape(root) == ["Gather"]
    check_gather(root[0], "es-MX")
    assert shape(root[0]) == ["Say", "Say"]
    check_say(root[0][0], "Los pedidos se envían en dos días.", "es-MX", "Polly.Mia")  # the line's region
    fallback = Answer("q", True, "Orders ship in two days.", "en", None, 0.9)
    root = parse(twiml.step(decide_step(Intent.question, "es-MX", answer=fallback), ES, ACTION))
    check_say(root[0][0], "Orders ship in two days.", "en-US", "Polly.Mia")  # a fallback page's language
    check_say(root[0][1], say("anything_else", "es"), "es-MX", "Polly.Mia")  # the caller's


def test_no_answer_and_reprompt() -> None:
    missing = Answer("q", False, "", "en", None, 0.0)
    root = parse(twiml.step(decide_step(Intent.question, "en", answer=missing), EN, ACTION))
    check_gather(root[0], "en-US")
    check_say(root[0][0], say("no_answer", "en"), "en-US")
    check_say(root[0][1], say("anything_else", "en"), "en-US")

    root = parse(twiml.step(decide_step(Intent.silence, "en", silent_turns=1), EN, ACTION))
    check_gather(root[0], "en-US")
    assert shape(root[0]) == ["Say"]
    check_say(root[0][0], say("reprompt", "en"), "en-US")

    root = parse(twiml.step(decide_step(Intent.transfer, "en"), EN, ACTION))  # no number configured
    check_gather(root[0], "en-US")
    check_say(root[0][0], say("no_transfer", "en"), "en-US")


def test_goodbye_says_farewell_and_hangs_up() -> None:
    root = parse(twiml.step(decide_step(Intent.goodbye, "es-MX"), ES, ACTION))
    assert shape(root) == ["Say", "Hangup"]
    check_say(root[0], say("farewell", "es"), "es-MX", "Polly.Mia")
    assert root[1].attrib == {} and len(root[1]) == 0

    root = parse(twiml.step(decide_step(Intent.silence, "en", silent_turns=2), EN, ACTION))
    assert shape(root) == ["Say", "Hangup"]


def test_transfer_dials_the_configured_number() -> None:
    root = parse(twiml.step(decide_step(Intent.transfer, "en", transfer_to="+15555550123"), EN, ACTION))
    assert shape(root) == ["Say", "Dial", "Say", "Hangup"]
    check_say(root[0], say("transferring", "en"), "en-US")
    assert root[1].text == "+15555550123" and len(root[1]) == 0
    check_say(root[2], say("farewell", "en"), "en-US")


def test_unknown_number_is_refused_politely() -> None:
    root = parse(twiml.unknown_number())
    assert shape(root) == ["Say", "Hangup"]
    check_say(root[0], say("unknown_number", "en"), "en-US")
    root = parse(twiml.unknown_number("fr", voice="Polly.Lea"))
    check_say(root[0], say("unknown_number", "fr"), "fr-FR", "Polly.Lea")


def test_a_realtime_provider_gets_the_audio_stream() -> None:
    url = "wss://realtime.example.com/twilio?session=ses_1"
    root = parse(twiml.stream(url, {"session_id": "ses_1", "token": "t&k<1>"}))
    assert shape(root) == ["Connect"]
    assert shape(root[0]) == ["Stream"]
    stream = root[0][0]
    assert stream.attrib == {"url": url}
    assert [(p.tag, p.attrib) for p in stream] == [
        ("Parameter", {"name": "session_id", "value": "ses_1"}),
        ("Parameter", {"name": "token", "value": "t&k<1>"}),
    ]
    assert shape(parse(twiml.stream(url))[0][0]) == []
