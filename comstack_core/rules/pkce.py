"""PKCE (RFC 7636) with the S256 method, the only one this server accepts (SPEC §10).

A verifier is 43–128 characters of the unreserved set (§4.1); its S256 challenge is the unpadded
base64url SHA-256 of it, always 43 characters (§4.2). authlib supplies the pattern and the transform.
"""

from __future__ import annotations

import re
import secrets

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oauth2.rfc7636.challenge import CODE_VERIFIER_PATTERN

S256_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")


def valid_verifier(verifier: str) -> bool:
    return CODE_VERIFIER_PATTERN.fullmatch(verifier) is not None


def valid_s256_challenge(challenge: str) -> bool:
    return S256_CHALLENGE.fullmatch(challenge) is not None


def verifier_matches(verifier: str, challenge: str) -> bool:
    """True when ``verifier`` is well formed and its S256 transform is ``challenge``."""
    return valid_verifier(verifier) and secrets.compare_digest(
        str(create_s256_code_challenge(verifier)), challenge
    )
