"""The core's OAuth store on SQLite and PostgreSQL: single use under races, expiry on the core's clock,
family revocation, audience, browser binding, connector status."""

from __future__ import annotations

import asyncio

import pytest

from comstack_core import Core
from comstack_core.errors import Forbidden, InvalidInput, NotFound, Unauthenticated
from comstack_core.oauth.tokens import InvalidGrant, IssuedTokens

from ...conftest import FakeClock
from .conftest import CHALLENGE, REDIRECT, consented, redeem


async def test_code_is_single_use_and_reuse_revokes_the_family(core: Core, client_id: str, user_id: str) -> None:
    code = await consented(core, client_id, user_id)
    tokens = await redeem(core, client_id, code)
    assert tokens.scopes == ["comstack"]
    principal = await core.oauth.tokens.authenticate(tokens.access_token, door="mcp")
    assert principal.user_id == user_id and principal.door == "mcp" and not principal.read_only
    with pytest.raises(InvalidGrant, match="already used"):
        await redeem(core, client_id, code)  # reuse detected
    with pytest.raises(Unauthenticated):
        await core.oauth.tokens.authenticate(tokens.access_token, door="rest")
    assert await core.oauth.tokens.load_refresh(client_id, tokens.refresh_token) is None


async def test_concurrent_exchanges_of_one_code_issue_once(core: Core, client_id: str, user_id: str) -> None:
    code = await consented(core, client_id, user_id)
    results = await asyncio.gather(*(redeem(core, client_id, code) for _ in range(4)),
                                   return_exceptions=True)
    issued = [r for r in results if isinstance(r, IssuedTokens)]
    assert len(issued) == 1 and all(isinstance(r, InvalidGrant) for r in results if r not in issued)
    # The losers were presentations of a used code: the family is revoked.
    with pytest.raises(Unauthenticated):
        await core.oauth.tokens.authenticate(issued[0].access_token, door="rest")


async def test_concurrent_refreshes_rotate_once(core: Core, client_id: str, user_id: str) -> None:
    tokens = await redeem(core, client_id, await consented(core, client_id, user_id))
    rotate = core.oauth.tokens.rotate_refresh
    results = await asyncio.gather(*(rotate(client_id, tokens.refresh_token, ["comstack"])
                                     for _ in range(4)), return_exceptions=True)
    assert sum(isinstance(r, IssuedTokens) for r in results) == 1
    assert sum(isinstance(r, InvalidGrant) for r in results) == 3


async def test_replayed_refresh_token_revokes_the_family(core: Core, client_id: str, user_id: str) -> None:
    first = await redeem(core, client_id, await consented(core, client_id, user_id))
    second = await core.oauth.tokens.rotate_refresh(client_id, first.refresh_token, ["comstack"])
    assert await core.oauth.tokens.load_refresh(client_id, first.refresh_token) is None
    for token in (first.access_token, second.access_token):
        with pytest.raises(Unauthenticated, match="revoked"):
            await core.oauth.tokens.authenticate(token, door="rest")
    with pytest.raises(InvalidGrant):
        await core.oauth.tokens.rotate_refresh(client_id, second.refresh_token, ["comstack"])


async def test_lifetimes_follow_the_core_clock(core: Core, clock: FakeClock, client_id: str, user_id: str) -> None:
    code = await consented(core, client_id, user_id)
    clock.advance(seconds=61)
    with pytest.raises(InvalidGrant, match="expired"):
        await redeem(core, client_id, code)

    tokens = await redeem(core, client_id, await consented(core, client_id, user_id))
    clock.advance(minutes=61)
    with pytest.raises(Unauthenticated, match="expired"):
        await core.oauth.tokens.authenticate(tokens.access_token, door="rest")
    clock.advance(days=30)
    with pytest.raises(InvalidGrant):
        await core.oauth.tokens.rotate_refresh(client_id, tokens.refresh_token, ["comstack"])


async def test_audience_is_this_server(core: Core, client_id: str, user_id: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        await core.oauth.authorization.start(
            client_id, redirect_uri=REDIRECT, redirect_uri_explicit=True, scopes=None,
            code_challenge=CHALLENGE, state=None, resource="https://other.example/mcp",
        )
    assert refused.value.code == "invalid_target"
    for resource in ("http://testserver", "http://TestServer/mcp/", "http://testserver/api"):
        await core.oauth.authorization.start(
            client_id, redirect_uri=REDIRECT, redirect_uri_explicit=True, scopes=None,
            code_challenge=CHALLENGE, state=None, resource=resource,
        )
    tokens = await redeem(core, client_id, await consented(core, client_id, user_id))
    core.settings.public_url = "https://elsewhere.example"
    with pytest.raises(Unauthenticated, match="not for this server"):
        await core.oauth.tokens.authenticate(tokens.access_token, door="mcp")


async def test_read_scope_principal_is_read_only(core: Core, client_id: str, user_id: str) -> None:
    code = await consented(core, client_id, user_id, ["comstack:read"])
    tokens = await redeem(core, client_id, code)
    principal = await core.oauth.tokens.authenticate(tokens.access_token, door="rest")
    assert principal.read_only and principal.scopes == frozenset({"comstack:read"})


async def test_pending_request_is_bound_to_one_browser(core: Core, client_id: str, user_id: str) -> None:
    handle = await core.oauth.authorization.start(
        client_id, redirect_uri=REDIRECT, redirect_uri_explicit=True, scopes=None,
        code_challenge=CHALLENGE, state=None, resource=None,
    )
    pending, browser, csrf = await core.oauth.authorization.open_page(handle, None)
    assert pending.client_name == "Claude" and pending.user_id is None
    assert (await core.oauth.authorization.check_form(handle, browser, csrf)).client_id == client_id
    with pytest.raises(Forbidden):
        await core.oauth.authorization.check_form(handle, "another-browser", csrf)
    with pytest.raises(Forbidden):
        await core.oauth.authorization.check_form(handle, browser, None)
    with pytest.raises(Forbidden):
        await core.oauth.authorization.open_page(handle, "another-browser")
    _, same, newer = await core.oauth.authorization.open_page(handle, browser)
    assert same == browser
    with pytest.raises(Forbidden):  # only the latest page's token counts
        await core.oauth.authorization.check_form(handle, browser, csrf)
    await core.oauth.authorization.check_form(handle, browser, newer)
    with pytest.raises(NotFound):
        await core.oauth.authorization.open_page("not-a-handle", browser)


async def test_unknown_users_cannot_sign_in_upstream(core: Core, client_id: str, user_id: str) -> None:
    handle = await core.oauth.authorization.start(
        client_id, redirect_uri=REDIRECT, redirect_uri_explicit=True, scopes=None,
        code_challenge=CHALLENGE, state=None, resource=None,
    )
    with pytest.raises(Unauthenticated, match="No ComStack account"):
        await core.oauth.authorization.sign_in_email(handle, "stranger@example.com")
    await core.oauth.authorization.sign_in_email(handle, "ADA@example.com")


async def test_connector_status(core: Core, clock: FakeClock, client_id: str, user_id: str) -> None:
    ada = await core.users.principal_for_user(user_id, door="rest")
    assert (await core.oauth.connectors.status(ada)).connected is False
    await consented(core, client_id, user_id)  # consent without exchange is not a connection yet
    assert (await core.oauth.connectors.status(ada)).connected is False
    tokens = await redeem(core, client_id, await consented(core, client_id, user_id))
    await core.oauth.tokens.authenticate(tokens.access_token, door="mcp")
    status = await core.oauth.connectors.status(ada)
    assert status.connected and status.client_name == "Claude" and status.last_used_at == clock.now
    assert [c.client_id for c in status.connections] == [client_id]
    clock.advance(days=31)  # refresh token dead: no longer connected
    assert (await core.oauth.connectors.status(ada)).connected is False


async def test_redirect_uri_rules(core: Core) -> None:
    core.settings.oauth_extra_redirect_schemes = ["cursor"]
    core.oauth.clients.check_redirect_uris(["cursor://anysphere.cursor-retrieval/oauth/callback"])
    with pytest.raises(InvalidInput):
        core.oauth.clients.check_redirect_uris(["vscode://x/cb"])
    with pytest.raises(InvalidInput):
        core.oauth.clients.check_redirect_uris([])
    assert core.oauth.clients.redirect_allowed(["http://localhost/cb"], "http://localhost:4000/cb")
    assert not core.oauth.clients.redirect_allowed(["http://localhost/cb"], "http://127.0.0.1:4000/cb")
    assert not core.oauth.clients.redirect_allowed(["https://a.example/cb"], "https://a.example:444/cb")
