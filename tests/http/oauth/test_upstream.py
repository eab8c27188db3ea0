"""Upstream OpenID Connect sign-in, against a fake provider on loopback (a contract test).

The fake plays the part of Google & co.: discovery document, an authorize endpoint that signs the
person in at once, a token endpoint that checks the code, client secret and PKCE verifier, and an
RS256-signed ID token with the nonce it was given. Our side runs authlib's real client against it.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlencode

import httpx
import pytest
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from comstack_core import Core
from comstack_http.app import create_app

from .conftest import FormClient, Person, Pkce, forms, loopback_socket, query, running, serve

CLIENT_ID, CLIENT_SECRET = "comstack-at-idp", "idp-secret"


@dataclass
class FakeIdP:
    base: str = ""
    email: str = "ada@example.com"
    email_verified: bool = True
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "k1"}))
    signing_key: RSAKey | None = None  # set to sign with a key the JWKS does not list
    pending: dict[str, dict[str, str]] = field(default_factory=dict)

    def app(self) -> Starlette:
        async def discovery(request: Request) -> Response:
            return JSONResponse({
                "issuer": self.base, "authorization_endpoint": f"{self.base}/authorize",
                "token_endpoint": f"{self.base}/token", "jwks_uri": f"{self.base}/jwks",
                "id_token_signing_alg_values_supported": ["RS256"], "response_types_supported": ["code"],
                "code_challenge_methods_supported": ["S256"]})

        async def authorize(request: Request) -> Response:
            params = dict(request.query_params)
            assert params["client_id"] == CLIENT_ID and params["code_challenge_method"] == "S256"
            assert "openid" in params["scope"].split() and params["nonce"]
            code = f"code-{len(self.pending)}"
            self.pending[code] = params
            return RedirectResponse(f"{params['redirect_uri']}?{urlencode({'code': code, 'state': params['state']})}")

        async def token(request: Request) -> Response:
            form = await request.form()
            asked = self.pending.pop(str(form["code"]), None)
            secret_ok = form.get("client_secret") == CLIENT_SECRET or request.headers.get("authorization", "")
            if asked is None or not secret_ok or asked["redirect_uri"] != form.get("redirect_uri") or \
                    create_s256_code_challenge(str(form.get("code_verifier"))) != asked["code_challenge"]:
                return JSONResponse({"error": "invalid_grant"}, 400)
            now = int(time.time())
            claims = {"iss": self.base, "sub": "idp-user-1", "aud": CLIENT_ID, "iat": now, "exp": now + 300,
                      "nonce": asked["nonce"], "email": self.email, "email_verified": self.email_verified}
            signer = self.signing_key or self.key
            id_token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, signer)
            return JSONResponse({"access_token": "idp-access", "token_type": "Bearer", "expires_in": 300,
                                 "id_token": id_token})

        async def jwks(request: Request) -> Response:
            return JSONResponse(KeySet([self.key]).as_dict(private=False))

        return Starlette(routes=[
            Route("/.well-known/openid-configuration", discovery), Route("/authorize", authorize),
            Route("/token", token, methods=["POST"]), Route("/jwks", jwks)])


@pytest.fixture
def idp() -> Iterator[FakeIdP]:
    fake = FakeIdP()
    with serve(fake.app(), loopback_socket()) as url:
        fake.base = url
        yield fake


@pytest.fixture
async def sso(core: Core, idp: FakeIdP) -> AsyncIterator[FormClient]:
    settings = core.settings.model_copy(update={
        "oidc_metadata_url": f"{idp.base}/.well-known/openid-configuration", "oidc_client_id": CLIENT_ID,
        "oidc_client_secret": CLIENT_SECRET, "oidc_display_name": "Example ID"})
    async with running(create_app(settings, core=core, clock=core.ctx.clock)) as app, \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
        yield FormClient(http)


async def upstream_sign_in(sso: FormClient) -> tuple[httpx.Response, str, Pkce]:
    """From authorize to what our callback answers, with the IdP signing the person in."""
    pkce, client_id = Pkce(), await sso.client_id()
    page = await sso.open(sso.authorize_url(client_id, pkce))
    assert "Continue with Example ID" in page.text
    to_idp = await sso.http.post("/oauth/upstream", data=forms(page.text)["/oauth/upstream"])
    assert to_idp.status_code == 303
    async with httpx.AsyncClient() as elsewhere:
        back = await elsewhere.get(to_idp.headers["location"])
    assert back.status_code in (302, 307) and back.headers["location"].startswith(
        "http://testserver/oauth/upstream/callback?")
    return await sso.open(back.headers["location"]), client_id, pkce


async def test_upstream_sign_in_reaches_consent(sso: FormClient, ada: Person) -> None:
    consent, client_id, pkce = await upstream_sign_in(sso)
    assert consent.status_code == 200 and "Allow Test Client to use ComStack?" in consent.text, consent.text
    assert ada.email in consent.text
    answer = await sso.submit(consent, "/oauth/consent", decision="allow")
    tokens = await sso.exchange(client_id, query(answer.headers["location"])["code"], pkce)
    assert tokens.status_code == 200, tokens.text
    me = await sso.http.get("/api/accounts/me", headers={"authorization": f"Bearer {tokens.json()['access_token']}"})
    assert me.json()["user"]["email"] == ada.email


async def test_upstream_unknown_email_is_refused(sso: FormClient, idp: FakeIdP, ada: Person) -> None:
    idp.email = "stranger@example.com"
    answer, _, _ = await upstream_sign_in(sso)
    assert answer.status_code == 401 and "No ComStack account uses stranger@example.com" in answer.text


async def test_upstream_unverified_email_is_refused(sso: FormClient, idp: FakeIdP, ada: Person) -> None:
    idp.email_verified = False
    answer, _, _ = await upstream_sign_in(sso)
    assert answer.status_code == 401 and "verified email" in answer.text


async def test_upstream_id_token_with_a_bad_signature_is_refused(sso: FormClient, idp: FakeIdP,
                                                                 ada: Person) -> None:
    idp.signing_key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    answer, _, _ = await upstream_sign_in(sso)
    assert answer.status_code == 401 and "failed" in answer.text


async def test_upstream_callback_with_unknown_state_is_refused(sso: FormClient) -> None:
    response = await sso.http.get("/oauth/upstream/callback?code=x&state=forged")
    assert response.status_code == 400 and "expired" in response.text


async def test_no_upstream_button_without_configuration(oauth: FormClient) -> None:
    page = await oauth.open(oauth.authorize_url(await oauth.client_id(), Pkce()))
    assert "Continue with" not in page.text and "/oauth/upstream" not in forms(page.text)


