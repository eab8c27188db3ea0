"""OAuth fixtures: the real app (in-process over ASGI, or uvicorn on loopback) and a form-submitting client.

``FormClient`` acts as a browser would without JavaScript: it follows the authorize redirect, reads the
hidden fields of the sign-in and consent forms, keeps the cookie the pages set, and posts the forms.
The tests run on SQLite (the core's token store tests, ``tests/core/oauth``, run on both databases); the
end-to-end OAuth tests (``tests/e2e/oauth``) use these fixtures too.
"""

from __future__ import annotations

import secrets
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
import uvicorn
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from starlette.types import ASGIApp

from comstack_core import Core, Principal, Settings
from comstack_http.app import create_app

from ...conftest import FakeClock, make_user
from ...lifespan import running

PASSWORD = "correct horse battery staple"
REDIRECT = "http://127.0.0.1:8976/callback"


@pytest.fixture
def backend() -> str:
    return "sqlite"


# -- servers --------------------------------------------------------------------------------------


@contextmanager
def serve(app: ASGIApp, sock: socket.socket) -> Iterator[str]:
    """uvicorn on an already-bound loopback socket (so the URL is known before the app is built)."""
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", ws="none"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)  # waiting for startup, not for a token to expire
    try:
        port = sock.getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()


def loopback_socket() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock


@dataclass
class Live:
    base_url: str
    clock: FakeClock
    settings: Settings

    @property
    def mcp_url(self) -> str:
        return self.base_url + "/mcp"


@pytest.fixture
def live(settings: Settings, clock: FakeClock) -> Iterator[Live]:
    """The production app (``create_app``) on a real loopback port; its Core runs on the test's clock."""
    sock = loopback_socket()
    live_settings = settings.model_copy(update={"public_url": f"http://127.0.0.1:{sock.getsockname()[1]}"})
    with serve(create_app(live_settings, clock=clock), sock) as url:
        yield Live(url, clock, live_settings)


@pytest.fixture
async def client(core: Core) -> AsyncIterator[httpx.AsyncClient]:
    """The production app in-process (ASGI), sharing the test's Core and clock."""
    async with running(create_app(core.settings, core=core, clock=core.ctx.clock)) as app:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


# -- people ---------------------------------------------------------------------------------------


@dataclass
class Person:
    email: str
    principal: Principal
    password: str = PASSWORD


@pytest.fixture
async def ada(core: Core) -> Person:
    email = "ada@example.com"
    return Person(email, await make_user(core, email, password=PASSWORD))


# -- a browser without JavaScript, and an OAuth client ----------------------------------------------


def forms(html: str) -> dict[str, dict[str, str]]:
    """Each form's action -> its named input fields (hidden ones carry the request and CSRF token)."""
    found: dict[str, dict[str, str]] = {}
    for form in HTMLParser(html).css("form"):
        fields = {
            str(i.attributes.get("name")): str(i.attributes.get("value") or "")
            for i in form.css("input")
            if i.attributes.get("name")
        }
        found[str(form.attributes.get("action"))] = fields
    return found


def query(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


@dataclass
class Pkce:
    verifier: str = field(default_factory=lambda: secrets.token_urlsafe(48))

    @property
    def challenge(self) -> str:
        return str(create_s256_code_challenge(self.verifier))


@dataclass
class FormClient:
    http: httpx.AsyncClient
    base: str = ""

    async def register(self, redirect_uris: list[str] | None = None, **extra: Any) -> httpx.Response:
        body = {"redirect_uris": redirect_uris or [REDIRECT], "client_name": "Test Client", **extra}
        return await self.http.post(f"{self.base}/oauth/register", json=body)

    async def client_id(self, redirect_uris: list[str] | None = None, **extra: Any) -> str:
        response = await self.register(redirect_uris, **extra)
        assert response.status_code == 201, response.text
        return str(response.json()["client_id"])

    def authorize_url(
        self, client_id: str, pkce: Pkce, *, redirect_uri: str = REDIRECT, state: str = "st-1", **extra: str
    ) -> str:
        params = {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "state": state,
            "code_challenge": pkce.challenge,
            "code_challenge_method": "S256",
            **extra,
        }
        return f"{self.base}/oauth/authorize?{urlencode(params)}"

    async def open(self, url: str) -> httpx.Response:
        """GET and follow redirects that stay on this server (the last one to the client is returned)."""
        response = await self.http.get(url)
        while response.status_code in (302, 303) and self._ours(response.headers["location"]):
            response = await self.http.get(self._absolute(response.headers["location"]))
        return response

    async def submit(self, page: httpx.Response, action: str, **values: str) -> httpx.Response:
        fields = {**forms(page.text)[action], **values}
        response = await self.http.post(self._absolute(action), data=fields)
        if response.status_code == 303 and self._ours(response.headers["location"]):
            return await self.open(self._absolute(response.headers["location"]))
        return response

    async def sign_in(self, url: str, person: Person) -> httpx.Response:
        page = await self.open(url)
        assert page.status_code == 200, page.text
        return await self.submit(page, "/oauth/sign-in", email=person.email, password=person.password)

    async def approve(self, url: str, person: Person, decision: str = "allow") -> dict[str, str]:
        consent = await self.sign_in(url, person)
        assert consent.status_code == 200 and "Allow" in consent.text, consent.text
        answer = await self.submit(consent, "/oauth/consent", decision=decision)
        assert answer.status_code == 303, answer.text
        return query(answer.headers["location"])

    async def code(self, person: Person, *, scope: str | None = None, **extra: str) -> tuple[str, str, Pkce]:
        """(client_id, code, pkce) after a full sign-in and Allow."""
        client_id, pkce = await self.client_id(), Pkce()
        url = self.authorize_url(client_id, pkce, **({"scope": scope} if scope else {}), **extra)
        answer = await self.approve(url, person)
        return client_id, answer["code"], pkce

    async def token(self, **form: str) -> httpx.Response:
        return await self.http.post(f"{self.base}/oauth/token", data=form)

    async def exchange(
        self, client_id: str, code: str, pkce: Pkce, redirect_uri: str = REDIRECT
    ) -> httpx.Response:
        return await self.token(
            grant_type="authorization_code",
            client_id=client_id,
            code=code,
            code_verifier=pkce.verifier,
            redirect_uri=redirect_uri,
        )

    async def tokens(self, person: Person, *, scope: str | None = None) -> tuple[str, dict[str, Any]]:
        """(client_id, token response) for ``person``."""
        client_id, code, pkce = await self.code(person, scope=scope)
        response = await self.exchange(client_id, code, pkce)
        assert response.status_code == 200, response.text
        return client_id, response.json()

    async def refresh(self, client_id: str, refresh_token: str) -> httpx.Response:
        return await self.token(grant_type="refresh_token", client_id=client_id, refresh_token=refresh_token)

    def _absolute(self, location: str) -> str:
        return location if "://" in location else f"{self.base}{location}"

    def _ours(self, location: str) -> bool:
        if "://" not in location:
            return True
        base = self.base or str(self.http.base_url).rstrip("/")
        return location.startswith(base + "/")


@pytest.fixture
def oauth(client: httpx.AsyncClient) -> FormClient:
    return FormClient(client)


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}
