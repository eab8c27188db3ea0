from __future__ import annotations

import secrets
import string
from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]

_ALPHABET = string.ascii_lowercase + string.digits


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id(prefix: str, length: int = 14) -> str:
    """Readable random ids like ``pg_x3k9...``; the prefix tells what kind of thing it names."""
    # One uniform draw below 36**length, written in base 36: the same ids as a secrets.choice per
    # character, with one call to the system's random source instead of one per character.
    return f"{prefix}_" + spelled(secrets.randbelow(len(_ALPHABET) ** length), length)


def spelled(number: int, length: int) -> str:
    """``number`` (below 36**length) as ``length`` characters of the id alphabet, most significant first."""
    chars = []
    for _ in range(length):
        number, digit = divmod(number, len(_ALPHABET))
        chars.append(_ALPHABET[digit])
    return "".join(reversed(chars))
