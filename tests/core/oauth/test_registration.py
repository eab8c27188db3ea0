"""Open client registration is bounded and forgets unused clients; redirect URIs never carry a user part."""

from __future__ import annotations

import pytest
from sqlmodel import select

from comstack_core import Core
from comstack_core.errors import InvalidInput
from comstack_core.models import OAuthClient
from comstack_core.rules.redirects import display_host, redirect_uri_matches

from ...conftest import FakeClock
from .conftest import REDIRECT, consented, redeem


async def register(core: Core, client_id: str, uris: list[str] | None = None, **info: object) -> None:
    uris = uris or [REDIRECT]
    await core.oauth.clients.register(client_id, uris, {"client_id": client_id, "redirect_uris": uris, **info})


async def client_ids(core: Core) -> set[str]:
    async with core.db.read() as session:
        return {row.id for row in await session.exec(select(OAuthClient))}


@pytest.mark.parametrize(("uris", "info", "problem"), [
    ([REDIRECT], {"client_name": "x" * 101}, "client_name may have at most 100"),
    ([f"https://app.example/cb{i}" for i in range(11)], {}, "at most 10 redirect URIs"),
    (["https://app.example/" + "a" * 2000], {}, "at most 2000 characters"),
    ([REDIRECT], {"client_uri": "https://app.example/" + "a" * 2000}, "client_uri may have at most 2000"),
    ([REDIRECT], {"contacts": [f"a{i}@example.com" for i in range(11)]}, "contacts may list at most 10"),
])
async def test_registration_is_bounded(core: Core, uris: list[str], info: dict[str, object], problem: str) -> None:
    with pytest.raises(InvalidInput, match=problem):
        await register(core, "too-much", uris, **info)
    assert await client_ids(core) == set()


async def test_registration_at_the_bounds_is_accepted(core: Core) -> None:
    uris = [f"https://app.example/{i}/" + "a" * 1978 for i in range(10)]
    assert all(len(uri) == 2000 for uri in uris)
    await register(core, "full", uris, client_name="n" * 100)
    assert await client_ids(core) == {"full"}


@pytest.mark.parametrize("uri", [
    "https://claude.ai@evil.test/cb", "https://user:pw@app.example/cb", "http://127.0.0.1@evil.test/cb",
    "https://evil.test\\@claude.ai/cb",
])
async def test_redirect_uri_with_a_user_part_is_refused(core: Core, uri: str) -> None:
    with pytest.raises(InvalidInput, match="user part") as refused:
        await register(core, "sneaky", [uri])
    assert refused.value.code == "invalid_redirect_uri"
    # A client stored before the rule existed cannot use such a URI either.
    assert not redirect_uri_matches([uri], uri)


def test_consent_shows_the_real_host() -> None:
    assert display_host("https://claude.ai/api/mcp/auth_callback") == "claude.ai"
    assert display_host("http://127.0.0.1:8976/callback") == "127.0.0.1:8976"
    assert display_host("http://[::1]:5000/cb") == "[::1]:5000"


async def test_clients_without_a_grant_for_a_day_are_deleted_on_registration(
        core: Core, clock: FakeClock, user_id: str) -> None:
    await register(core, "never-used")
    await register(core, "connected")
    await redeem(core, "connected", await consented(core, "connected", user_id))
    await register(core, "consented-then-revoked")
    tokens = await redeem(core, "consented-then-revoked", await consented(core, "consented-then-revoked", user_id))
    clock.advance(hours=23)
    await register(core, "young")
    found = await core.oauth.tokens.find_token(tokens.access_token, "access")
    assert found is not None
    await core.oauth.tokens.revoke_grant(found.grant_id, "disconnected")
    assert await client_ids(core) == {"never-used", "connected", "consented-then-revoked", "young"}
    clock.advance(hours=1, seconds=1)
    await register(core, "newcomer")
    # Over 24 hours old with no live grant: gone. A live grant (or a young client) keeps one.
    assert await client_ids(core) == {"connected", "young", "newcomer"}
