"""The sign-in and consent pages in a real headless Chromium (Playwright driving the system's browser).

A loopback "app" server stands in for the MCP client's redirect listener, as a native app's would.
Screenshots go to ``test-artifacts/oauth/``. Without /usr/bin/chromium these tests are skipped on a
developer machine and fail under CI (``CI=true``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from ...conftest import ARTIFACTS, IN_CI
from ...http.oauth.conftest import FormClient, Live, Person, Pkce, loopback_socket, query, serve

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ARTIFACTS / "oauth"

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page


@pytest.fixture
def app_callback() -> Iterator[str]:
    """The client's loopback redirect listener: shows what came back."""

    async def callback(request: Request) -> HTMLResponse:
        items = "".join(f"<li>{k}</li>" for k in sorted(request.query_params))
        return HTMLResponse(f"<!doctype html><title>Back in the app</title><h1>Back in the app</h1><ul>{items}</ul>")

    with serve(Starlette(routes=[Route("/callback", callback)]), loopback_socket()) as url:
        yield f"{url}/callback"


@pytest.fixture
def chromium() -> Path:
    if not CHROMIUM.exists():
        if IN_CI:
            pytest.fail("Chromium is missing at /usr/bin/chromium; CI must `apt-get install -y chromium`")
        pytest.skip("no /usr/bin/chromium")
    return CHROMIUM


@pytest.fixture
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(chromium),
            args=["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"])
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def page(browser: Browser) -> Page:
    context = await browser.new_context(viewport={"width": 800, "height": 760})
    return await context.new_page()


async def authorize_url(live: Live, redirect_uri: str, pkce: Pkce) -> str:
    """Register a client named Claude (as the MCP client would) and build its authorize URL."""
    async with httpx.AsyncClient() as http:
        oauth = FormClient(http, base=live.base_url)
        client_id = await oauth.client_id([redirect_uri], client_name="Claude")
        return oauth.authorize_url(client_id, pkce, redirect_uri=redirect_uri, state="browser-state")


async def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


async def sign_in(page: Page, live: Live, app_callback: str, person: Person, pkce: Pkce) -> str:
    """Open the authorize URL, sign in, reach the consent page; returns the client id."""
    url = await authorize_url(live, app_callback, pkce)
    await page.goto(url)
    await page.get_by_role("heading", name="Sign in to connect Claude").wait_for()
    await shoot(page, "1-sign-in")
    await page.get_by_label("Email").fill(person.email)
    await page.get_by_label("Password").fill(person.password)
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("heading", name="Allow Claude to use ComStack?").wait_for()
    await shoot(page, "2-consent")
    return query(url)["client_id"]


async def test_sign_in_allow_lands_on_the_redirect_with_a_code(page: Page, live: Live, app_callback: str,
                                                               ada: Person) -> None:
    pkce = Pkce()
    client_id = await sign_in(page, live, app_callback, ada, pkce)
    await page.get_by_role("button", name="Allow").click()
    await page.get_by_role("heading", name="Back in the app").wait_for()
    await shoot(page, "3-back-in-the-app")
    landed = query(page.url)
    assert page.url.startswith(app_callback) and landed["state"] == "browser-state"
    assert landed["iss"] == live.base_url
    # The code the browser carried back is good for the client that asked, with its verifier.
    async with httpx.AsyncClient() as http:
        tokens = await FormClient(http, base=live.base_url).exchange(client_id, landed["code"], pkce, app_callback)
    assert tokens.status_code == 200, tokens.text


async def test_deny_lands_with_access_denied(page: Page, live: Live, app_callback: str, ada: Person) -> None:
    await sign_in(page, live, app_callback, ada, Pkce())
    await page.get_by_role("button", name="Deny").click()
    await page.get_by_role("heading", name="Back in the app").wait_for()
    landed = query(page.url)
    assert landed["error"] == "access_denied" and landed["state"] == "browser-state" and "code" not in landed


async def test_wrong_password_shows_an_error_in_the_page(page: Page, live: Live, app_callback: str,
                                                         ada: Person) -> None:
    await page.goto(await authorize_url(live, app_callback, Pkce()))
    await page.get_by_label("Email").fill(ada.email)
    await page.get_by_label("Password").fill("not the password")
    await page.get_by_role("button", name="Sign in").click()
    alert = page.get_by_role("alert")
    await alert.wait_for()
    assert "Wrong email or password." in await alert.inner_text()
    assert await page.get_by_label("Email").input_value() == ada.email
    await shoot(page, "4-wrong-password")


async def test_pages_work_without_javascript(browser: Browser, live: Live, app_callback: str,
                                             ada: Person) -> None:
    context = await browser.new_context(java_script_enabled=False)
    no_js = await context.new_page()
    await sign_in(no_js, live, app_callback, ada, Pkce())
    await no_js.get_by_role("button", name="Allow").click()
    await no_js.get_by_role("heading", name="Back in the app").wait_for()
    assert query(no_js.url)["code"]
