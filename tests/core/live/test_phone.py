"""The phone line's rules: Twilio signatures (computed with twilio's own RequestValidator over known URLs
and parameters), Twilio language codes, and the step decided from what the caller said."""

from __future__ import annotations

import pytest
from twilio.request_validator import HMAC_SHA256, RequestValidator

from comstack_core.live.knowledge import Answer, Source
from comstack_core.live.messages import say
from comstack_core.live.phone import (
    MAX_SILENT_TURNS,
    Intent,
    classify_speech,
    decide_step,
    public_request_url,
    say_language,
    signature_valid,
    speech_language,
)

TOKEN = "12345678901234567890123456789012"
PUBLIC = "https://voice.example.com/api/live/twilio/voice?turn=2&silent=0"
PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+14158675310",
    "Digits": "1234",
    "From": "+14158675310",
    "To": "+18005551212",
    "SpeechResult": "How do I publish?",
}


def signed(url: str = PUBLIC, params: dict[str, str] | None = None, token: str = TOKEN, **kwargs: str) -> str:
    return str(RequestValidator(token).compute_signature(url, params if params is not None else PARAMS, **kwargs))


def test_a_signature_twilio_computed_is_valid() -> None:
    assert signature_valid(TOKEN, PUBLIC, PARAMS, signed())
    # The known vector of Twilio's own request-validation tests (token "12345").
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = {"CallSid": "CA1234567890ABCDE", "Caller": "+14158675309", "Digits": "1234",
              "From": "+14158675309", "To": "+18005551212"}  # fmt: skip
    assert signature_valid("12345", url, params, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
    assert not signature_valid("12346", url, params, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
    # Twilio may sign with or without the default port; both are accepted.
    assert signature_valid(TOKEN, "https://voice.example.com:443/api/live/twilio/voice?turn=2&silent=0", PARAMS, signed())


@pytest.mark.parametrize(
    ("token", "url", "params", "signature"),
    [
        ("wrong-token-wrong-token-wrong-tok", PUBLIC, PARAMS, None),  # another account's token
        (TOKEN, "http://10.0.0.5:8787/api/live/twilio/voice?turn=2&silent=0", PARAMS, None),  # the socket's URL
        (TOKEN, PUBLIC.replace("turn=2", "turn=3"), PARAMS, None),  # the query changed
        (TOKEN, PUBLIC, {**PARAMS, "SpeechResult": "Transfer me"}, None),  # a parameter changed
        (TOKEN, PUBLIC, {**PARAMS, "Extra": "1"}, None),  # a parameter added
        (TOKEN, PUBLIC, PARAMS, ""),  # no signature header
        (TOKEN, PUBLIC, PARAMS, "bm90IGEgc2lnbmF0dXJl"),  # garbage
        ("", PUBLIC, PARAMS, None),  # no token configured: nothing is valid
    ],
)
def test_wrong_signatures_are_refused(token: str, url: str, params: dict[str, str], signature: str | None) -> None:
    sig = signed() if signature is None else signature
    assert not signature_valid(token, url, params, sig)


def test_sha256_signatures_named_by_the_settings_header() -> None:
    settings = "key=webhooks_sharedkey_123,algorithm=HMAC_SHA256"
    sha256 = signed(algorithm=HMAC_SHA256)
    assert signature_valid(TOKEN, PUBLIC, PARAMS, sha256, settings)
    assert not signature_valid(TOKEN, PUBLIC, PARAMS, sha256)  # read as the legacy SHA-1 signature
    assert not signature_valid(TOKEN, PUBLIC, PARAMS, signed(), settings)
    assert not signature_valid(TOKEN, PUBLIC, PARAMS, sha256, "algorithm=HMAC_MD5")


def test_repeated_form_keys_are_signed_as_twilio_signs_them() -> None:
    class MultiDict(dict[str, list[str]]):
        def getall(self, key: str) -> list[str]:
            return self[key]

    form = MultiDict({"To": ["+18005551212"], "Tag": ["b", "a"]})
    sig = RequestValidator(TOKEN).compute_signature(PUBLIC, form)
    assert signature_valid(TOKEN, PUBLIC, form, sig)
    assert not signature_valid(TOKEN, PUBLIC, MultiDict({"To": ["+18005551212"], "Tag": ["b"]}), sig)


def test_the_public_url_is_what_twilio_called() -> None:
    assert public_request_url("https://voice.example.com/", "/api/live/twilio/voice", "turn=2&silent=0") == PUBLIC
    assert public_request_url("https://voice.example.com", "api/live/twilio/voice") == (
        "https://voice.example.com/api/live/twilio/voice"
    )


@pytest.mark.parametrize(
    ("locale", "speech", "voice"),
    [
        ("en", "en-US", "en-US"),
        ("en-GB", "en-GB", "en-GB"),
        ("es", "es-ES", "es-ES"),
        ("es-MX", "es-MX", "es-MX"),
        ("es-AR", "es-AR", "es-ES"),  # recognised as spoken there, said with the language's voice
        ("pt", "pt-BR", "pt-BR"),
        ("fr-CA", "fr-CA", "fr-CA"),
        ("de-AT", "de-AT", "de-DE"),
        ("nb", "nb-NO", "nb-NO"),
        ("zh", "cmn-Hans-CN", "zh-CN"),
        ("zh-TW", "cmn-Hant-TW", "zh-TW"),
        ("tr", "tr-TR", "en-US"),  # the default voice has no Turkish
        ("sw", "en-US", "en-US"),  # unknown to Twilio: US English
    ],
)
def test_twilio_language_codes(locale: str, speech: str, voice: str) -> None:
    assert speech_language(locale) == speech
    assert say_language(locale) == voice


@pytest.mark.parametrize(
    ("speech", "intent"),
    [
        (None, Intent.silence),
        ("", Intent.silence),
        ("  ...  ", Intent.silence),
        ("How do I publish a page?", Intent.question),
        ("Goodbye.", Intent.goodbye),
        ("OK, thanks, bye!", Intent.goodbye),
        ("No thanks, that's all.", Intent.goodbye),
        ("Adiós", Intent.goodbye),
        ("Gracias, hasta luego", Intent.goodbye),
        ("Merci, au revoir", Intent.goodbye),
        ("Tschüss!", Intent.goodbye),
        ("How do I say goodbye to a draft?", Intent.question),
        ("Bye the way, what does the publish button do when nothing changed", Intent.question),
        ("Can I talk to a person?", Intent.transfer),
        ("I want to speak with a real human", Intent.transfer),
        ("Operator, please.", Intent.transfer),
        ("Quiero hablar con una persona", Intent.transfer),
        ("Je voudrais parler à quelqu'un", Intent.transfer),
        ("Ich möchte mit einem Mitarbeiter sprechen", Intent.transfer),
        ("Quero falar com um atendente", Intent.transfer),
        ("Posso parlare con un operatore?", Intent.transfer),
    ],
)
def test_what_the_caller_asks_for(speech: str | None, intent: Intent) -> None:
    assert classify_speech(speech) is intent


SOURCE = Source("p_1", "guides/publish", "en", "Publishing", "https://x.example/guides/publish/")


def test_the_next_step() -> None:
    found = Answer("How do I publish?", True, "Managers publish after the dry run.", "en", SOURCE, 0.9)
    step = decide_step(Intent.question, "en", answer=found)
    assert (step.kind, step.say, step.language, step.ends_call, step.answer) == (
        "answer", "Managers publish after the dry run.", "en", False, found,
    )
    # An answer from a default-locale page is said in that page's language.
    fallback = Answer("¿Qué son los webhooks?", True, "Webhooks retry three times.", "en", SOURCE, 0.8)
    assert decide_step(Intent.question, "es", answer=fallback).language == "en"

    missing = Answer("Price?", False, "", "es", None, 0.1)
    step = decide_step(Intent.question, "es", answer=missing)
    assert (step.kind, step.say, step.language, step.ends_call) == ("no_answer", say("no_answer", "es"), "es", False)

    step = decide_step(Intent.goodbye, "fr")
    assert (step.kind, step.say, step.ends_call) == ("goodbye", say("farewell", "fr"), True)

    step = decide_step(Intent.transfer, "en", transfer_to="+15555550123")
    assert (step.kind, step.dial, step.ends_call, step.say) == ("transfer", "+15555550123", True, say("transferring", "en"))
    step = decide_step(Intent.transfer, "en")
    assert (step.kind, step.dial, step.ends_call) == ("no_transfer", None, False)

    step = decide_step(Intent.silence, "de", silent_turns=1)
    assert (step.kind, step.say, step.ends_call) == ("reprompt", say("reprompt", "de"), False)
    step = decide_step(Intent.silence, "de", silent_turns=MAX_SILENT_TURNS)
    assert (step.kind, step.ends_call) == ("goodbye", True)

    with pytest.raises(ValueError, match="answer"):
        decide_step(Intent.question, "en")


def test_every_language_has_every_phrase() -> None:
    from comstack_core.live.messages import _PHRASES

    phrases = set(_PHRASES["en"])
    for language, table in _PHRASES.items():
        assert set(table) == phrases, language
        assert "{name}" in table["greeting"]
    assert say("greeting", "es-MX", name="Acme") == "Hola, soy el asistente de Acme. ¿Qué le gustaría saber?"
    assert say("farewell", "ja") == say("farewell", "en")  # no table: English
