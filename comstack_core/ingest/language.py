"""The page's language: what the page declares, else what its text reads as.

Declared, in order: ``<html lang>`` (or ``xml:lang``), ``<meta http-equiv="content-language">``, Open
Graph ``og:locale``. Detected: py3langid (a maintained fork of langid.py: a small Naive Bayes model
shipped inside the package, 97 languages, no download) on the main content's text, trusted at 0.5
normalized probability or more and at least ``MIN_DETECT_CHARS`` characters of text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from ..errors import InvalidInput
from ..rules.locales import base_language, normalize_locale

MIN_DETECT_CHARS = 40
MIN_CONFIDENCE = 0.5
DETECT_SAMPLE_CHARS = 5000  # the model's answer settles long before this; longer text only costs time
LanguageSource = Literal["html_lang", "content_language", "og_locale", "detected", "project_default"]


@dataclass
class LanguageGuess:
    tag: str | None
    source: LanguageSource | None
    notes: list[str]


@cache
def _identifier() -> Any:
    # Loaded once per process (about 0.5 s); the model file ships in the wheel.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> tuple[str, float] | None:
    """(ISO 639-1 code, probability) for text long and clear enough, else None."""
    sample = " ".join(text.split())[:DETECT_SAMPLE_CHARS]
    if len(sample) < MIN_DETECT_CHARS:
        return None
    code, probability = _identifier().classify(sample)
    return (str(code), float(probability)) if probability >= MIN_CONFIDENCE else None


def canonical_tag(raw: str | None) -> str | None:
    """A declared tag in the project's canonical form (``en_us`` -> ``en-US``), or its language alone."""
    if not raw:
        return None
    raw = raw.strip().split(",")[0].strip()
    try:
        return normalize_locale(raw)
    except InvalidInput:
        pass
    try:
        return normalize_locale(base_language(raw.replace("_", "-")))
    except InvalidInput:
        return None


def guess_language(declared: Sequence[tuple[LanguageSource, str | None]], text: str) -> LanguageGuess:
    detected = detect_language(text)
    for source, raw in declared:
        tag = canonical_tag(raw)
        if tag:
            notes = []
            if detected and detected[1] >= 0.9 and len(text) >= 200 and detected[0] != base_language(tag):
                notes.append(
                    f"The page declares language '{tag}' but its text reads as '{detected[0]}'; the declared "
                    "language was kept, change it if it is wrong."
                )
            return LanguageGuess(tag, source, notes)
    if detected:
        return LanguageGuess(detected[0], "detected", [])
    return LanguageGuess(None, None, ["The page declares no language and its text is too short to tell."])


def project_language(guess: LanguageGuess, locales: Sequence[str]) -> tuple[str, LanguageSource, list[str]]:
    """The project locale to propose: the page's own, the project's variant of its language, or the
    project's default (``locales[0]``) with a note saying why."""
    notes = list(guess.notes)
    if guess.tag is None or guess.source is None:
        notes.append(f"Proposed the project's default locale '{locales[0]}'.")
        return locales[0], "project_default", notes
    if guess.tag in locales:
        return guess.tag, guess.source, notes
    same = [tag for tag in locales if base_language(tag) == base_language(guess.tag)]
    if same:
        return same[0], guess.source, notes
    notes.append(
        f"The page is in '{guess.tag}', which is not one of the project's locales ({', '.join(locales)}); "
        f"proposed the default '{locales[0]}'. Add the locale to the project or pick another language."
    )
    return locales[0], "project_default", notes
