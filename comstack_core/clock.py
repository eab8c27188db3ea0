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
    return f"{prefix}_" + "".join(secrets.choice(_ALPHABET) for _ in range(length))
