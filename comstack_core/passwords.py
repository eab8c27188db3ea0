from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


# Checked against when the user is unknown or has no password, so sign-in takes as long either way and
# its timing does not tell whether an account exists.
@cache
def _dummy_hash() -> str:
    return _hasher.hash("comstack-no-such-user")


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        _check(_dummy_hash(), password)
        return False
    return _check(password_hash, password)


def _check(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
