"""PKCE at the token endpoint's core call: RFC 7636 verifiers only, and a failed exchange spends the code."""

from __future__ import annotations

import pytest
from sqlmodel import select

from comstack_core import Core
from comstack_core.errors import InvalidInput
from comstack_core.models import OAuthGrant
from comstack_core.oauth.tokens import InvalidGrant

from .conftest import REDIRECT, consented, redeem


@pytest.mark.parametrize("verifier", ["a", "v" * 42, "v" * 129, "v" * 42 + "!", "v" * 42 + " ", "é" * 43])
async def test_malformed_verifier_is_refused_and_spends_the_code(
        core: Core, client_id: str, user_id: str, verifier: str) -> None:
    code = await consented(core, client_id, user_id)
    with pytest.raises(InvalidInput) as refused:
        await redeem(core, client_id, code, verifier)
    assert refused.value.code == "invalid_request" and "43 to 128 characters" in refused.value.message
    with pytest.raises(InvalidGrant, match="already used"):
        await redeem(core, client_id, code)  # the right verifier comes too late


async def test_wrong_verifier_spends_the_code_and_revokes_the_grant(core: Core, client_id: str, user_id: str) -> None:
    code = await consented(core, client_id, user_id)
    with pytest.raises(InvalidGrant, match="does not match"):
        await redeem(core, client_id, code, "w" * 43)
    with pytest.raises(InvalidGrant, match="already used"):
        await redeem(core, client_id, code)
    async with core.db.read() as session:
        grants = list(await session.exec(select(OAuthGrant)))
    assert len(grants) == 1 and grants[0].revoked_at is not None
    assert "does not match" in (grants[0].revoked_reason or "")


@pytest.mark.parametrize("problem", ["redirect", "client"])
async def test_any_failed_exchange_spends_the_code(core: Core, client_id: str, user_id: str, problem: str) -> None:
    code = await consented(core, client_id, user_id)
    with pytest.raises(InvalidGrant):
        if problem == "redirect":
            await core.oauth.tokens.exchange_code(client_id, code, code_verifier="v" * 43,
                                                  redirect_uri=REDIRECT.replace("callback", "other"))
        else:
            await redeem(core, "another-client", code)
    with pytest.raises(InvalidGrant, match="already used"):
        await redeem(core, client_id, code)


async def test_longest_verifier_is_accepted(core: Core, client_id: str, user_id: str) -> None:
    verifier = "A-._~9" * 21 + "xy"  # 128 characters of the unreserved set
    assert len(verifier) == 128
    code = await consented(core, client_id, user_id, verifier=verifier)
    assert (await redeem(core, client_id, code, verifier)).access_token


async def test_challenge_must_be_an_s256_value(core: Core, client_id: str) -> None:
    for challenge in ("short", "c" * 44, "c" * 42 + "=="):
        with pytest.raises(InvalidInput) as refused:
            await core.oauth.authorization.start(
                client_id, redirect_uri=REDIRECT, redirect_uri_explicit=True, scopes=None,
                code_challenge=challenge, state=None, resource=None)
        assert refused.value.code == "invalid_request"
