"""The core OAuth tests' fixtures: both databases, a user, a registered client, and a consented code."""

from __future__ import annotations

from collections.abc import Awaitable

import pytest
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from comstack_core import Core
from comstack_core.oauth.tokens import IssuedTokens

from ...conftest import make_user

CLIENT = "client-1"
PASSWORD = "correct horse battery staple"
REDIRECT = "http://127.0.0.1:8976/callback"
VERIFIER = "v" * 43
CHALLENGE = str(create_s256_code_challenge(VERIFIER))


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def user_id(core: Core) -> str:
    principal = await make_user(core, "ada@example.com", password=PASSWORD)
    assert principal.user_id
    return principal.user_id


@pytest.fixture
async def client_id(core: Core) -> str:
    await core.oauth.clients.register(CLIENT, [REDIRECT], {"client_id": CLIENT, "client_name": "Claude",
                                                          "redirect_uris": [REDIRECT]})
    return CLIENT


async def consented(core: Core, client_id: str, user_id: str, scopes: list[str] | None = None,
                    verifier: str = VERIFIER) -> str:
    """A code, as the pages would produce it, for a client that will prove ``verifier``."""
    handle = await core.oauth.authorization.start(
        client_id, redirect_uri=REDIRECT, redirect_uri_explicit=True, scopes=scopes,
        code_challenge=str(create_s256_code_challenge(verifier)), state="s", resource=None,
    )
    await core.oauth.authorization.open_page(handle, None)
    await core.oauth.authorization.sign_in(handle, user_id)
    redirect = await core.oauth.authorization.approve(handle)
    assert redirect.uri == REDIRECT and redirect.params["state"] == "s"
    return redirect.params["code"]


def redeem(core: Core, client_id: str, code: str, verifier: str = VERIFIER) -> Awaitable[IssuedTokens]:
    return core.oauth.tokens.exchange_code(client_id, code, code_verifier=verifier, redirect_uri=REDIRECT)
