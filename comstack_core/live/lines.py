"""The settings of the voice modules, as a manager writes them in the module's ``config``
(``PATCH /api/projects/{id}/modules/voice_phone``), checked and read here. No I/O.

``voice_phone``: ``numbers`` (the E.164 numbers that lead to the project), ``transfer_to`` (the number a
caller asking for a person is put through to), ``language`` (the line's locale; default: the project's),
``voice`` (Twilio ``<Say>`` voice), ``greeting``, ``auth_token`` (the Twilio account's auth token, when it
is not the installation's ``COMSTACK_TWILIO_AUTH_TOKEN``). ``voice_web``: ``voice``, ``greeting``.
The auth token is a secret: module and project views show only whether one is set.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..errors import InvalidInput
from ..rules.locales import normalize_locale

E164 = re.compile(r"\+[1-9]\d{6,14}")
SECRET_KEYS = ("auth_token",)
MAX_TEXT = 500
_KEYS = {
    "voice_phone": ("numbers", "transfer_to", "language", "voice", "greeting", "auth_token"),
    "voice_web": ("voice", "greeting", "language"),
}


def phone_number(value: object, field: str) -> str:
    text = re.sub(r"[\s().-]", "", value) if isinstance(value, str) else ""
    if not E164.fullmatch(text):
        raise InvalidInput(
            f"{field} must be a phone number in E.164 form, like '+15555550100' (got {value!r}).",
            code="invalid_phone_number",
        )
    return text


def _text(value: object, field: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
        raise InvalidInput(f"{field} must be text of 1-{MAX_TEXT} characters.", code="invalid_voice_config")
    return value.strip()


def clean_config(module: str, config: Mapping[str, Any]) -> dict[str, Any]:
    """The module's settings checked and normalised (numbers in E.164, locales canonical). Keys of other
    modules pass through unchanged; a voice module refuses keys it does not know."""
    keys = _KEYS.get(module)
    if keys is None:
        return dict(config)
    unknown = sorted(set(config) - set(keys) - {"locales"})
    if unknown:
        raise InvalidInput(
            f"Unknown {module} settings: {', '.join(unknown)}; the settings are: {', '.join(keys)}.",
            code="invalid_voice_config",
        )
    out: dict[str, Any] = {}
    for key, value in config.items():
        if value is None or key == "locales":
            out[key] = value
        elif key == "numbers":
            if not isinstance(value, list):
                raise InvalidInput("numbers must be a list of E.164 numbers.", code="invalid_voice_config")
            out[key] = list(dict.fromkeys(phone_number(v, "Each of numbers") for v in value))
        elif key == "transfer_to":
            out[key] = phone_number(value, "transfer_to")
        elif key == "language":
            out[key] = normalize_locale(value)
        else:
            out[key] = _text(value, key)
    return out


def redacted(modules: Mapping[str, Any]) -> dict[str, Any]:
    """The modules map as people may see it: secrets replaced by whether they are set."""
    out = dict(modules)
    phone = out.get("voice_phone")
    if isinstance(phone, Mapping) and any(k in phone for k in SECRET_KEYS):
        shown = {k: v for k, v in phone.items() if k not in SECRET_KEYS}
        for key in SECRET_KEYS:
            shown[f"{key}_set"] = bool(phone.get(key))
        out["voice_phone"] = shown
    return out


def numbers(config: Mapping[str, Any]) -> list[str]:
    return [str(n) for n in config.get("numbers") or []]
