"""Who is calling: the ``Principal`` every service receives, roles, API-key crypto, and the
``TokenVerifier`` protocol for bearer tokens.

Both front doors resolve their credentials (API-key headers, OAuth bearer tokens, CLI) into a
Principal; every permission decision is then made in the services from it. API keys are checked by
the core's key service; bearer tokens by a ``TokenVerifier`` (the core's own OAuth server, or one
plugged in by whoever builds the app).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import string
from dataclasses import dataclass, field, replace
from enum import IntEnum
from typing import Literal, Protocol

from .errors import InvalidInput

SCOPE_FULL = "comstack"
SCOPE_READ = "comstack:read"
KEY_PREFIX = "cs_"
KEY_BODY_LENGTH = 40
_BASE62 = string.ascii_letters + string.digits
_API_KEY = re.compile(re.escape(KEY_PREFIX) + f"[A-Za-z0-9]{{{KEY_BODY_LENGTH}}}")


class Role(IntEnum):
    viewer = 1
    editor = 2
    manager = 3

    @classmethod
    def parse(cls, value: str) -> Role:
        try:
            return cls[value]
        except KeyError:
            raise InvalidInput(
                f"Unknown role {value!r}; use one of viewer, editor, manager.", code="invalid_role"
            ) from None


Door = Literal["mcp", "rest", "cli", "script"]


@dataclass(frozen=True)
class Principal:
    kind: Literal["user", "key", "system"]
    user_id: str | None = None
    key_id: str | None = None
    key_project_id: str | None = None
    key_role: Role | None = None
    is_platform_admin: bool = False
    scopes: frozenset[str] = field(default_factory=lambda: frozenset({SCOPE_FULL}))
    door: Door = "script"

    @property
    def actor_id(self) -> str | None:
        return self.user_id if self.kind == "user" else self.key_id

    @property
    def read_only(self) -> bool:
        return SCOPE_FULL not in self.scopes

    def via(self, door: Door) -> Principal:
        return self if door == self.door else replace(self, door=door)  # frozen: the same door, the same object

    @classmethod
    def system(cls, door: Door = "cli") -> Principal:
        """The operator acting from the machine itself (CLI admin commands)."""
        return cls(kind="system", is_platform_admin=True, door=door)


class TokenVerifier(Protocol):
    """Turns a bearer token into a Principal (the OAuth server implements this)."""

    async def verify(self, token: str, *, door: Door) -> Principal:
        """Return the token's principal or raise Unauthenticated."""
        ...


def generate_api_key() -> str:
    return KEY_PREFIX + "".join(secrets.choice(_BASE62) for _ in range(KEY_BODY_LENGTH))


def hash_secret(raw: str) -> str:
    """SHA-256 hex digest; keys and tokens are only ever stored this way."""
    return hashlib.sha256(raw.encode()).hexdigest()


def key_display_prefix(raw: str) -> str:
    return raw[: len(KEY_PREFIX) + 8]


def looks_like_api_key(raw: str) -> bool:
    return _API_KEY.fullmatch(raw) is not None
