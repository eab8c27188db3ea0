"""The sign-in and consent pages over HTTP: forms, CSRF, browser binding, headers, limits."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest

from comstack_core import Core
from comstack_core.models import OAuthClient

from ...conftest import FakeClock, make_user
from .conftest import REDIRECT, FormClient, Person, Pkce, forms


async def start(oauth: FormClient, **extra: str) -> httpx.Response:
    """Register, authorize, and land on the sign-in page."""
    client_id = await oauth.client_id(client_name="Claude")
    page = await oauth.open(oauth.authorize_url(client_id, Pkce(), **extra))
    assert page.status_code == 200, page.text
    return page


async def test_sign_in_page_is_a_plain_accessible_form(oauth: FormClient) -> None:
    page = await start(oauth)
    assert "Sign in to connect Claude" in page.text
    fields = forms(page.text)["/oauth/sign-in"]
    assert set(fields) == {"request", "csrf_token", "email", "password"} and fields["csrf_token"]
    assert '<label for="email">' in page.text and '<label for="password">' in page.text
    assert 'autocomplete="current-password"' in page.text and '<html lang="en">' in page.text
    assert "<script" not in page.text


async def test_pages_cannot_be_framed_or_cached(oauth: FormClient) -> None:
    page = await start(oauth)
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"
    cookie = page.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/oauth" in cookie


async def test_consent_names_client_redirect_host_and_access(oauth: FormClient, ada: Person) -> None:
    client_id = await oauth.client_id(["https://chat.example.com/oauth/cb"], client_name="Claude")
    url = oauth.authorize_url(client_id, Pkce(), redirect_uri="https://chat.example.com/oauth/cb")
    consent = await oauth.sign_in(url, ada)
    assert consent.status_code == 200
    text = consent.text
    assert "Allow Claude to use ComStack?" in text and "chat.example.com" in text and ada.email in text
    assert "Read and change" in text
    assert 'value="allow"' in text and 'value="deny"' in text


async def test_consent_for_read_scope_says_read_only(oauth: FormClient, ada: Person) -> None:
    client_id = await oauth.client_id()
    consent = await oauth.sign_in(oauth.authorize_url(client_id, Pkce(), scope="comstack:read"), ada)
    assert "Read only" in consent.text and "Read and change" not in consent.text


async def test_client_name_is_escaped(oauth: FormClient, ada: Person) -> None:
    client_id = await oauth.client_id(client_name="<img src=x onerror=alert(1)>")
    consent = await oauth.sign_in(oauth.authorize_url(client_id, Pkce()), ada)
    assert "<img src=x" not in consent.text and "&lt;img src=x" in consent.text


async def test_deny_goes_back_with_access_denied(oauth: FormClient, ada: Person) -> None:
    client_id = await oauth.client_id()
    answer = await oauth.approve(oauth.authorize_url(client_id, Pkce(), state="s-9"), ada, decision="deny")
    assert answer == {"error": "access_denied", "error_description": "The user denied access.", "state": "s-9",
                      "iss": "http://testserver"}


async def test_wrong_password_is_a_401_page_with_a_fresh_form(oauth: FormClient, ada: Person) -> None:
    page = await start(oauth)
    failed = await oauth.submit(page, "/oauth/sign-in", email=ada.email, password="wrong")
    assert failed.status_code == 401
    assert "Wrong email or password." in failed.text and 'role="alert"' in failed.text
    assert f'value="{ada.email}"' in failed.text
    # The re-rendered form works.
    consent = await oauth.submit(failed, "/oauth/sign-in", email=ada.email, password=ada.password)
    assert consent.status_code == 200 and "Allow" in consent.text


async def test_failed_sign_ins_count_toward_the_401_limit(oauth: FormClient, ada: Person) -> None:
    page = await start(oauth)
    for _ in range(10):
        page = await oauth.submit(page, "/oauth/sign-in", email=ada.email, password="wrong")
        assert page.status_code == 401
    blocked = await oauth.http.post("/oauth/sign-in", data=forms(page.text)["/oauth/sign-in"])
    assert blocked.status_code == 429 and "retry-after" in blocked.headers


async def test_missing_csrf_token_is_refused(oauth: FormClient, ada: Person) -> None:
    page = await start(oauth)
    fields = {**forms(page.text)["/oauth/sign-in"], "email": ada.email, "password": ada.password}
    del fields["csrf_token"]
    refused = await oauth.http.post("/oauth/sign-in", data=fields)
    assert refused.status_code == 403 and "location" not in refused.headers
    assert "not sent from the sign-in page" in refused.text


async def test_wrong_csrf_token_is_refused_on_consent(oauth: FormClient, ada: Person) -> None:
    client_id = await oauth.client_id()
    consent = await oauth.sign_in(oauth.authorize_url(client_id, Pkce()), ada)
    fields = {**forms(consent.text)["/oauth/consent"], "csrf_token": "forged", "decision": "allow"}
    refused = await oauth.http.post("/oauth/consent", data=fields)
    assert refused.status_code == 403 and "location" not in refused.headers


async def test_a_sign_in_cannot_be_answered_from_another_browser(oauth: FormClient, client: httpx.AsyncClient,
                                                                  ada: Person) -> None:
    client_id = await oauth.client_id()
    consent = await oauth.sign_in(oauth.authorize_url(client_id, Pkce()), ada)
    fields = {**forms(consent.text)["/oauth/consent"], "decision": "allow"}
    # Another browser (no cookie) that learnt the request handle and even the CSRF token gets nothing.
    client.cookies.clear()
    assert (await client.post("/oauth/consent", data=fields)).status_code == 403
    handle = fields["request"]
    opened = await client.get(f"/oauth/consent?request={handle}")
    assert opened.status_code == 403 and "another browser" in opened.text


async def test_an_answered_request_cannot_be_answered_again(oauth: FormClient, ada: Person) -> None:
    client_id = await oauth.client_id()
    consent = await oauth.sign_in(oauth.authorize_url(client_id, Pkce()), ada)
    fields = {**forms(consent.text)["/oauth/consent"], "decision": "allow"}
    assert (await oauth.http.post("/oauth/consent", data=fields)).status_code == 303
    again = await oauth.http.post("/oauth/consent", data=fields)
    assert again.status_code == 400 and "expired or was already answered" in again.text


async def test_consent_needs_a_signed_in_user(oauth: FormClient) -> None:
    page = await start(oauth)
    handle = forms(page.text)["/oauth/sign-in"]["request"]
    response = await oauth.http.get(f"/oauth/consent?request={handle}")
    assert response.status_code == 303 and response.headers["location"].startswith("/oauth/sign-in")


async def test_sign_in_expires_after_ten_minutes(oauth: FormClient, clock: FakeClock, ada: Person) -> None:
    page = await start(oauth)
    clock.advance(minutes=11)
    late = await oauth.submit(page, "/oauth/sign-in", email=ada.email, password=ada.password)
    assert late.status_code == 400 and "expired" in late.text


async def test_user_without_password_cannot_sign_in_with_one(oauth: FormClient, core: Core) -> None:
    await make_user(core, "sso-only@example.com")
    page = await start(oauth)
    failed = await oauth.submit(page, "/oauth/sign-in", email="sso-only@example.com", password="")
    assert failed.status_code == 401


async def test_oauth_endpoints_allow_30_requests_a_minute(oauth: FormClient) -> None:
    statuses = [(await oauth.http.get("/oauth/sign-in?request=x")).status_code for _ in range(30)]
    assert 429 not in statuses
    limited = await oauth.http.post("/oauth/token", data={"grant_type": "refresh_token"})
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
    # Discovery is not under /oauth/ and stays available.
    assert (await oauth.http.get("/.well-known/oauth-authorization-server")).status_code == 200


@pytest.mark.parametrize("path", ["/oauth/assets/oauth.css", "/oauth/assets/logo.svg"])
async def test_assets(oauth: FormClient, path: str) -> None:
    response = await oauth.http.get(path)
    assert response.status_code == 200 and len(response.content) > 100


async def test_authorize_error_without_valid_client_is_shown_not_redirected(oauth: FormClient) -> None:
    response = await oauth.http.get(f"/oauth/authorize?response_type=code&client_id=nope&redirect_uri={REDIRECT}")
    assert response.status_code == 400 and "location" not in response.headers


async def test_consent_shows_the_host_with_its_port(oauth: FormClient, ada: Person) -> None:
    client_id = await oauth.client_id(["https://chat.example.com:8443/cb"], client_name="Claude")
    consent = await oauth.sign_in(oauth.authorize_url(client_id, Pkce(), redirect_uri="https://chat.example.com:8443/cb"),
                                  ada)
    assert "<code>chat.example.com:8443</code>" in consent.text


async def test_a_stored_redirect_uri_with_a_user_part_is_never_used(oauth: FormClient, core: Core) -> None:
    # A client registered before user parts were refused: the browser is not sent anywhere.
    sneaky = "https://claude.ai@evil.test/cb"
    async with core.db.write() as session:
        session.add(OAuthClient(id="old", client_name="Claude", redirect_uris=[sneaky], created_at=core.ctx.clock(),
                                info={"client_id": "old", "redirect_uris": [sneaky], "token_endpoint_auth_method": "none",
                                      "grant_types": ["authorization_code"], "response_types": ["code"]}))
    for url in (oauth.authorize_url("old", Pkce(), redirect_uri=sneaky),
                oauth.authorize_url("old", Pkce()).replace(f"&redirect_uri={quote(REDIRECT, safe='')}", "")):
        response = await oauth.http.get(url)
        assert response.status_code == 400 and "location" not in response.headers, response.text
