"""The token endpoint and what tokens open: codes, PKCE, refresh rotation, audience, revocation, scopes."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import select

from comstack_core import Core
from comstack_core.models import OAuthCode, OAuthToken

from ...conftest import FakeClock
from .conftest import REDIRECT, FormClient, Person, Pkce, bearer, query


async def me(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.get("/api/accounts/me", headers=bearer(token))


async def test_code_flow_issues_tokens_that_work(oauth: FormClient, client: httpx.AsyncClient, ada: Person) -> None:
    client_id, pkce = await oauth.client_id(), Pkce()
    answer = await oauth.approve(oauth.authorize_url(client_id, pkce, state="xyz"), ada)
    assert answer["state"] == "xyz" and answer["iss"] == "http://testserver" and answer["code"]
    response = await oauth.exchange(client_id, answer["code"], pkce)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600 and body["scope"] == "comstack"
    whoami = await me(client, body["access_token"])
    assert whoami.status_code == 200, whoami.text
    assert whoami.json()["user"]["email"] == ada.email and whoami.json()["scopes"] == ["comstack"]


async def test_codes_and_tokens_are_stored_only_as_hashes(oauth: FormClient, core: Core, ada: Person) -> None:
    client_id, code, pkce = await oauth.code(ada)
    async with core.db.read() as session:
        codes = [row.code_hash for row in await session.exec(select(OAuthCode))]
    assert code not in codes and len(codes) == 1 and len(codes[0]) == 64
    tokens = (await oauth.exchange(client_id, code, pkce)).json()
    async with core.db.read() as session:
        stored = {row.token_hash for row in await session.exec(select(OAuthToken))}
    assert tokens["access_token"] not in stored and tokens["refresh_token"] not in stored
    assert all(len(digest) == 64 for digest in stored)


async def test_wrong_verifier_is_refused(oauth: FormClient, ada: Person) -> None:
    client_id, code, _ = await oauth.code(ada)
    response = await oauth.exchange(client_id, code, Pkce())
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


async def test_a_wrong_verifier_spends_the_code(oauth: FormClient, ada: Person) -> None:
    client_id, code, pkce = await oauth.code(ada)
    assert (await oauth.exchange(client_id, code, Pkce())).status_code == 400
    retry = await oauth.exchange(client_id, code, pkce)  # the right verifier, after a wrong guess
    assert retry.status_code == 400 and retry.json()["error"] == "invalid_grant"


@pytest.mark.parametrize("verifier", ["a", "x" * 42, "x" * 129, "x" * 42 + "+"])
async def test_verifier_must_be_43_to_128_unreserved_characters(oauth: FormClient, ada: Person,
                                                                verifier: str) -> None:
    client_id, pkce = await oauth.client_id(), Pkce(verifier)
    answer = await oauth.approve(oauth.authorize_url(client_id, pkce), ada)
    response = await oauth.exchange(client_id, answer["code"], pkce)
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"
    assert "43 to 128 characters" in response.json()["error_description"]


async def test_challenge_must_be_an_s256_value(oauth: FormClient) -> None:
    client_id = await oauth.client_id()
    url = oauth.authorize_url(client_id, Pkce()).replace("code_challenge=", "code_challenge=x")
    response = await oauth.http.get(url)
    assert response.status_code == 302 and query(response.headers["location"])["error"] == "invalid_request"


async def test_plain_challenge_method_is_refused(oauth: FormClient, ada: Person) -> None:
    client_id, pkce = await oauth.client_id(), Pkce()
    url = oauth.authorize_url(client_id, pkce, code_challenge_method="plain")
    response = await oauth.http.get(url)
    # The client and redirect URI are valid, so the error goes back to it (RFC 6749 §4.1.2.1).
    assert response.status_code == 302
    assert response.headers["location"].startswith(REDIRECT)
    error = query(response.headers["location"])
    assert error["error"] == "invalid_request" and error["state"] == "st-1" and error["iss"] == "http://testserver"


async def test_missing_challenge_is_refused(oauth: FormClient) -> None:
    client_id = await oauth.client_id()
    url = oauth.authorize_url(client_id, Pkce()).replace("code_challenge=", "x=")
    response = await oauth.http.get(url)
    assert query(response.headers["location"])["error"] == "invalid_request"


async def test_reused_code_is_refused_and_revokes_what_it_issued(
        oauth: FormClient, client: httpx.AsyncClient, ada: Person) -> None:
    client_id, code, pkce = await oauth.code(ada)
    first = (await oauth.exchange(client_id, code, pkce)).json()
    assert (await me(client, first["access_token"])).status_code == 200
    again = await oauth.exchange(client_id, code, pkce)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert (await me(client, first["access_token"])).status_code == 401
    assert (await oauth.refresh(client_id, first["refresh_token"])).status_code == 400


async def test_expired_code_is_refused(oauth: FormClient, clock: FakeClock, ada: Person) -> None:
    client_id, code, pkce = await oauth.code(ada)
    clock.advance(seconds=61)
    response = await oauth.exchange(client_id, code, pkce)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant" and "expired" in response.json()["error_description"]


async def test_code_within_its_minute_works(oauth: FormClient, clock: FakeClock, ada: Person) -> None:
    client_id, code, pkce = await oauth.code(ada)
    clock.advance(seconds=59)
    assert (await oauth.exchange(client_id, code, pkce)).status_code == 200


async def test_redirect_uri_must_match_at_the_token_endpoint(oauth: FormClient, ada: Person) -> None:
    client_id, code, pkce = await oauth.code(ada)
    response = await oauth.exchange(client_id, code, pkce, redirect_uri="http://127.0.0.1:8976/other")
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"  # RFC 6749 §5.2
    assert (await oauth.exchange(client_id, code, pkce)).status_code == 400  # the code is spent


async def test_unregistered_redirect_uri_is_never_redirected_to(oauth: FormClient) -> None:
    client_id = await oauth.client_id()
    evil = "https://evil.example/steal"
    response = await oauth.http.get(oauth.authorize_url(client_id, Pkce(), redirect_uri=evil))
    assert response.status_code == 400 and "location" not in response.headers
    assert response.json()["error"] == "invalid_request"
    # Even an error that would redirect (a bad method) does not go to an unregistered URI.
    response = await oauth.http.get(oauth.authorize_url(client_id, Pkce(), redirect_uri=evil,
                                                        code_challenge_method="plain"))
    assert response.status_code == 400 and "location" not in response.headers


async def test_loopback_redirect_port_may_vary(oauth: FormClient, ada: Person) -> None:
    client_id, pkce = await oauth.client_id(["http://127.0.0.1/callback"]), Pkce()
    uri = "http://127.0.0.1:51234/callback"
    answer = await oauth.approve(oauth.authorize_url(client_id, pkce, redirect_uri=uri), ada)
    assert (await oauth.exchange(client_id, answer["code"], pkce, redirect_uri=uri)).status_code == 200
    # ... but not the path.
    response = await oauth.http.get(oauth.authorize_url(client_id, pkce, redirect_uri="http://127.0.0.1:5/other"))
    assert response.status_code == 400


async def test_unregistered_client_is_refused(oauth: FormClient) -> None:
    response = await oauth.http.get(oauth.authorize_url("no-such-client", Pkce()))
    assert response.status_code == 400 and "location" not in response.headers
    token = await oauth.token(grant_type="authorization_code", client_id="no-such-client", code="x",
                              code_verifier="y" * 43, redirect_uri=REDIRECT)
    assert token.status_code == 401 and token.json()["error"] == "invalid_client"


async def test_code_of_another_client_is_refused(oauth: FormClient, ada: Person) -> None:
    _, code, pkce = await oauth.code(ada)
    other = await oauth.client_id()
    response = await oauth.exchange(other, code, pkce)
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


async def test_refresh_rotates_and_a_replay_revokes_the_family(
        oauth: FormClient, client: httpx.AsyncClient, ada: Person) -> None:
    client_id, first = await oauth.tokens(ada)
    rotated = await oauth.refresh(client_id, first["refresh_token"])
    assert rotated.status_code == 200, rotated.text
    second = rotated.json()
    assert second["refresh_token"] != first["refresh_token"] and second["access_token"] != first["access_token"]
    assert (await me(client, second["access_token"])).status_code == 200
    replay = await oauth.refresh(client_id, first["refresh_token"])
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    # The whole family is gone: the newest tokens too.
    assert (await me(client, second["access_token"])).status_code == 401
    assert (await oauth.refresh(client_id, second["refresh_token"])).status_code == 400


async def test_refresh_token_expires_after_30_days(oauth: FormClient, clock: FakeClock, ada: Person) -> None:
    client_id, first = await oauth.tokens(ada)
    clock.advance(days=29)
    second = (await oauth.refresh(client_id, first["refresh_token"])).json()
    clock.advance(days=30, seconds=1)
    response = await oauth.refresh(client_id, second["refresh_token"])
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


async def test_access_token_lasts_an_hour(oauth: FormClient, client: httpx.AsyncClient, clock: FakeClock,
                                          ada: Person) -> None:
    _, tokens = await oauth.tokens(ada)
    clock.advance(minutes=59)
    assert (await me(client, tokens["access_token"])).status_code == 200
    clock.advance(minutes=2)
    expired = await me(client, tokens["access_token"])
    assert expired.status_code == 401 and "expired" in expired.json()["error"]
    assert "resource_metadata" in expired.headers["www-authenticate"]


async def test_token_for_another_server_is_refused(core: Core, oauth: FormClient, client: httpx.AsyncClient,
                                                   ada: Person) -> None:
    client_id, pkce = await oauth.client_id(), Pkce()
    # Asking for another server's audience is refused at authorize...
    other = oauth.authorize_url(client_id, pkce, resource="https://other.example/mcp")
    response = await oauth.http.get(other)
    assert query(response.headers["location"])["error"] == "invalid_target"
    # ... and a token bound to this server is refused once this server is another one (new public URL).
    _, tokens = await oauth.tokens(ada)
    assert (await me(client, tokens["access_token"])).status_code == 200
    core.settings.public_url = "https://cms.example.com"
    refused = await me(client, tokens["access_token"])
    assert refused.status_code == 401 and "not for this server" in refused.json()["error"]


async def test_resource_of_this_server_is_accepted(oauth: FormClient, client: httpx.AsyncClient,
                                                   ada: Person) -> None:
    client_id, pkce = await oauth.client_id(), Pkce()
    answer = await oauth.approve(oauth.authorize_url(client_id, pkce, resource="http://testserver/mcp"), ada)
    tokens = (await oauth.exchange(client_id, answer["code"], pkce)).json()
    assert (await me(client, tokens["access_token"])).status_code == 200


async def test_revocation_ends_the_grant(oauth: FormClient, client: httpx.AsyncClient, ada: Person) -> None:
    client_id, tokens = await oauth.tokens(ada)
    response = await oauth.http.post("/oauth/revoke", data={"token": tokens["refresh_token"], "client_id": client_id,
                                                            "token_type_hint": "refresh_token"})
    assert response.status_code == 200
    assert (await me(client, tokens["access_token"])).status_code == 401
    assert (await oauth.refresh(client_id, tokens["refresh_token"])).status_code == 400
    # Revoking an unknown token is not an error (RFC 7009 §2.2).
    unknown = await oauth.http.post("/oauth/revoke", data={"token": "nope", "client_id": client_id})
    assert unknown.status_code == 200


async def test_revoking_the_access_token_revokes_the_refresh_token(
        oauth: FormClient, client: httpx.AsyncClient, ada: Person) -> None:
    client_id, tokens = await oauth.tokens(ada)
    await oauth.http.post("/oauth/revoke", data={"token": tokens["access_token"], "client_id": client_id})
    assert (await me(client, tokens["access_token"])).status_code == 401
    assert (await oauth.refresh(client_id, tokens["refresh_token"])).status_code == 400


async def test_read_scope_token_may_only_read_rest(oauth: FormClient, client: httpx.AsyncClient,
                                                   ada: Person) -> None:
    _, tokens = await oauth.tokens(ada, scope="comstack:read")
    assert tokens["scope"] == "comstack:read"
    headers = bearer(tokens["access_token"])
    assert (await client.get("/api/projects", headers=headers)).status_code == 200
    refused = await client.post("/api/projects", json={"name": "Nope"}, headers=headers)
    assert refused.status_code == 403 and refused.json()["code"] == "read_only_scope"
    # The same person with a full token may write.
    _, full = await oauth.tokens(ada)
    created = await client.post("/api/projects", json={"name": "Yes"}, headers=bearer(full["access_token"]))
    assert created.status_code == 201, created.text


async def test_refresh_may_narrow_but_not_widen_scopes(oauth: FormClient, client: httpx.AsyncClient,
                                                       ada: Person) -> None:
    client_id, tokens = await oauth.tokens(ada, scope="comstack comstack:read")
    narrowed = await oauth.token(grant_type="refresh_token", client_id=client_id,
                                 refresh_token=tokens["refresh_token"], scope="comstack:read")
    assert narrowed.status_code == 200 and narrowed.json()["scope"] == "comstack:read"
    widened = await oauth.token(grant_type="refresh_token", client_id=client_id,
                                refresh_token=narrowed.json()["refresh_token"], scope="comstack")
    assert widened.status_code == 400 and widened.json()["error"] == "invalid_scope"

