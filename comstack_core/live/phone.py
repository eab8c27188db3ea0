"""The phone line's rules, without I/O: Twilio's signature check, Twilio language codes, and what to do
with what the caller said (answer, "I don't know", goodbye, transfer, ask again).

The flow of one turn: ``intent = classify_speech(SpeechResult)``; only a question is looked up
(``Knowledge.answer``); ``decide_step(intent, …, answer=…)`` gives the ``Step`` that ``twiml.py`` turns
into TwiML.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from twilio.request_validator import RequestValidator, get_signature_algorithm

from ..rules.locales import base_language
from .knowledge import Answer
from .messages import say
from .words import fold

SIGNATURE_HEADER = "X-Twilio-Signature"
SIGNATURE_SETTINGS_HEADER = "X-Twilio-Webhooks-Signature-Settings"
MAX_SILENT_TURNS = 2  # after this many turns without speech in a row, say goodbye and hang up


def signature_valid(
    auth_token: str | None,
    url: str,
    params: Mapping[str, Any],
    signature: str | None,
    signature_settings: str | None = None,
) -> bool:
    """Twilio signs the URL it called plus the form parameters. ``url`` must be that URL exactly as
    Twilio saw it (scheme, host, path and query): behind a proxy, the public URL, never the socket's.
    ``params`` may be a plain dict or a multi-dict (Starlette's ``FormData``) for repeated keys."""
    if not auth_token or not signature:
        return False
    algorithm = get_signature_algorithm(signature_settings)
    return bool(RequestValidator(auth_token).validate(url, params, signature, algorithm))


def public_request_url(public_url: str, path: str, query: str = "") -> str:
    """The URL Twilio called, rebuilt from the configured public base URL (``Settings.public_url``) and the
    request's path and raw query string."""
    return public_url.rstrip("/") + "/" + path.lstrip("/") + (f"?{query}" if query else "")


# -- languages -------------------------------------------------------------------------------------

# <Gather input="speech"> recognition languages (a subset of Twilio's list: the regions a project is
# likely to name), and the region used when a project locale has none.
def _codes(text: str) -> frozenset[str]:
    return frozenset(text.split())


SPEECH_LANGUAGES = _codes(
    "ar-AE ar-EG ar-SA ca-ES cs-CZ da-DK de-AT de-CH de-DE el-GR en-AU en-CA en-GB en-IE en-IN en-NZ en-US "
    "en-ZA es-AR es-CL es-CO es-ES es-MX es-PE es-US fi-FI fr-BE fr-CA fr-CH fr-FR he-IL hi-IN hu-HU id-ID "
    "it-IT ja-JP ko-KR nb-NO nl-BE nl-NL pl-PL pt-BR pt-PT ro-RO ru-RU sk-SK sv-SE th-TH tr-TR uk-UA vi-VN "
    "cmn-Hans-CN cmn-Hant-TW yue-Hant-HK"
)
# <Say> languages of Twilio's basic voice "alice" (the default voice here).
SAY_LANGUAGES = _codes(
    "ca-ES da-DK de-DE en-AU en-CA en-GB en-IN en-US es-ES es-MX fi-FI fr-CA fr-FR it-IT ja-JP ko-KR nb-NO "
    "nl-NL pl-PL pt-BR pt-PT ru-RU sv-SE zh-CN zh-HK zh-TW"
)
DEFAULT_REGION = {
    "ar": "ar-SA", "ca": "ca-ES", "cs": "cs-CZ", "da": "da-DK", "de": "de-DE", "el": "el-GR", "en": "en-US",
    "es": "es-ES", "fi": "fi-FI", "fr": "fr-FR", "he": "he-IL", "hi": "hi-IN", "hu": "hu-HU", "id": "id-ID",
    "it": "it-IT", "ja": "ja-JP", "ko": "ko-KR", "nb": "nb-NO", "no": "nb-NO", "nl": "nl-NL", "pl": "pl-PL",
    "pt": "pt-BR", "ro": "ro-RO", "ru": "ru-RU", "sk": "sk-SK", "sv": "sv-SE", "th": "th-TH", "tr": "tr-TR",
    "uk": "uk-UA", "vi": "vi-VN",
}  # fmt: skip
_SPEECH_ZH = {"zh": "cmn-Hans-CN", "zh-CN": "cmn-Hans-CN", "zh-TW": "cmn-Hant-TW", "zh-HK": "yue-Hant-HK"}
DEFAULT_VOICE = "alice"


def speech_language(locale: str) -> str:
    """The ``<Gather language>`` code for a project locale: itself when Twilio knows it, else the
    language's usual region, else US English."""
    if locale in _SPEECH_ZH or base_language(locale) == "zh":
        return _SPEECH_ZH.get(locale, _SPEECH_ZH["zh"])
    if locale in SPEECH_LANGUAGES:
        return locale
    return DEFAULT_REGION.get(base_language(locale), "en-US")


def say_language(locale: str) -> str:
    """The ``<Say language>`` code for a project locale (same rules over the voice's languages)."""
    if locale in SAY_LANGUAGES:
        return locale
    if base_language(locale) == "zh":
        return "zh-CN"
    fallback = DEFAULT_REGION.get(base_language(locale), "en-US")
    if fallback in SAY_LANGUAGES:
        return fallback
    same_language = sorted(c for c in SAY_LANGUAGES if base_language(c) == base_language(locale))
    return same_language[0] if same_language else "en-US"


# -- what the caller said --------------------------------------------------------------------------


class Intent(StrEnum):
    question = "question"
    goodbye = "goodbye"
    transfer = "transfer"
    silence = "silence"


# Words that end a call, in the languages the line speaks (callers switch languages, so all are heard).
_GOODBYE = re.compile(
    r"\b(?:good ?bye|bye(?: bye)?|see you|that'?s all|that is all|nothing else|hang up|"
    r"adios|hasta luego|hasta pronto|chao|chau|eso es todo|nada mas|"
    r"au revoir|a bientot|c'est tout|rien d'autre|"
    r"tschuss|auf wiedersehen|auf wiederhoren|das ist alles|nichts weiter|"
    r"tchau|adeus|ate logo|e tudo|"
    r"ciao|arrivederci|e tutto|nient'altro)\b"
)
# Asking for a person.
_TRANSFER = re.compile(
    r"\b(?:(?:talk|speak|chat) (?:to|with) (?:a |an |the |some )?(?:real |live )?"
    r"(?:human|person|someone|somebody|agent|operator|representative|people|team)|"
    r"transfer me|put me through|(?:human|live|real) (?:agent|person)|operator|representative|"
    r"(?:hablar|comunicarme) con (?:un |una |el |la )?(?:persona|humano|agente|operador|operadora|"
    r"representante|alguien)|transfierame|transfiereme|"
    r"parler (?:a|avec) (?:un |une |le |la )?(?:humain|personne|conseiller|conseillere|agent|operateur|"
    r"quelqu'un)|transferez-moi|"
    r"mit (?:einem |einer )?(?:menschen|mitarbeiter|mitarbeiterin|berater|person) sprechen|"
    r"verbinden sie mich|"
    r"falar com (?:um |uma |o |a )?(?:pessoa|humano|atendente|agente|operador|alguem)|"
    r"parlare con (?:un |una |l')?(?:persona|operatore|operatrice|umano|agente|qualcuno))\b"
)
_FAREWELL_MAX_WORDS = 6


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^\w' -]+", " ", fold(text).replace("’", "'")).split())


def classify_speech(speech: str | None) -> Intent:
    """What a ``SpeechResult`` asks for. A goodbye is a short utterance that says one and asks nothing
    ("OK, thanks, bye!"); "how do I say goodbye to a draft?" is a question."""
    text = _normal(speech or "")
    if not text:
        return Intent.silence
    if _TRANSFER.search(text):
        return Intent.transfer
    if _GOODBYE.search(text) and len(text.split()) <= _FAREWELL_MAX_WORDS and "?" not in (speech or ""):
        return Intent.goodbye
    return Intent.question


StepKind = Literal["answer", "no_answer", "reprompt", "goodbye", "transfer", "no_transfer"]


@dataclass(frozen=True)
class Step:
    kind: StepKind
    say: str  # what to say first
    language: str  # the language of ``say`` (an answer's page may be in the default locale)
    ends_call: bool = False
    dial: str | None = None  # the number to <Dial> for a transfer
    answer: Answer | None = None


def decide_step(
    intent: Intent,
    language: str,
    *,
    answer: Answer | None = None,
    transfer_to: str | None = None,
    silent_turns: int = 0,
) -> Step:
    """The next step of the speech loop. ``language`` is the caller's; ``answer`` is the finder's answer
    to a question (required for ``Intent.question``); ``silent_turns`` counts this one."""
    if intent is Intent.silence:
        if silent_turns >= MAX_SILENT_TURNS:
            return Step("goodbye", say("farewell", language), language, ends_call=True)
        return Step("reprompt", say("reprompt", language), language)
    if intent is Intent.goodbye:
        return Step("goodbye", say("farewell", language), language, ends_call=True)
    if intent is Intent.transfer:
        if transfer_to:
            return Step("transfer", say("transferring", language), language, ends_call=True, dial=transfer_to)
        return Step("no_transfer", say("no_transfer", language), language)
    if answer is None:
        raise ValueError("a question needs the answer finder's answer")
    if answer.found:
        return Step("answer", answer.text, answer.language, answer=answer)
    return Step("no_answer", say("no_answer", language), language, answer=answer)
