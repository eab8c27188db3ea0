"""The sign-in and consent pages of ``/oauth/authorize`` (plain HTML forms; no JavaScript needed).

Flow: the SDK's authorize handler validates the request and the core records it; the browser lands on
``/oauth/sign-in?request=<handle>``. The first page view binds the request to this browser (an
HttpOnly cookie whose digest the core stores); every form carries a CSRF token minted for that view.
A post is accepted only with both, so a request handle seen elsewhere (history, logs, a malicious
page) cannot be answered from another browser. Errors on these pages are shown here and never
redirect: only the consent answer goes back to the client, to the redirect URI checked at authorize.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from jinja2 import Environment, PackageLoader, select_autoescape
from mcp.server.auth.provider import construct_redirect_uri
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from comstack_core import Core
from comstack_core.auth import SCOPE_FULL
from comstack_core.errors import DomainError, Forbidden, Unauthenticated
from comstack_core.oauth.authorization import AuthorizationRequests, Pending, Redirect
from comstack_core.rules.redirects import display_host, is_loopback_http

from .metadata import issuer
from .upstream import Upstream

if TYPE_CHECKING:
    from ..runtime import Runtime

COOKIE = "comstack_oauth_browser"
COOKIE_MAX_AGE = 24 * 3600
_env = Environment(loader=PackageLoader("comstack_http.oauth", "templates"), autoescape=select_autoescape(["html"]))

# Pages can be framed by nobody (clickjacking an Allow button), cached by nobody, and load only our
# own stylesheet and logo. No form-action: the consent answer redirects to the client's URI, which
# Chromium would block under form-action 'self'.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class Access:
    title: str
    text: str


FULL = Access("Read and change", "read your projects and pages, and edit, approve and publish them — as far as "
                                 "your role in each project allows.")
READ = Access("Read only", "read your projects, pages and settings. It cannot change anything.")


def _status(error: DomainError) -> int:
    if isinstance(error, Unauthenticated):
        return 401
    return 403 if isinstance(error, Forbidden) else 400


class Pages:
    def __init__(self, runtime: Runtime, upstream: Upstream) -> None:
        self.runtime = runtime
        self.upstream = upstream

    @property
    def core(self) -> Core:
        return self.runtime.core

    @property
    def requests(self) -> AuthorizationRequests:
        return self.runtime.core.oauth.authorization

    # -- rendering --------------------------------------------------------------------------------

    def render(self, template: str, status: int = 200, browser: str | None = None, **context: object) -> HTMLResponse:
        response = HTMLResponse(_env.get_template(template).render(**context), status_code=status,
                                headers=SECURITY_HEADERS)
        if browser:
            response.set_cookie(COOKIE, browser, max_age=COOKIE_MAX_AGE, path="/oauth", httponly=True,
                                samesite="lax", secure=self.runtime.settings.public_url.startswith("https://"))
        return response

    def message(self, error: DomainError) -> HTMLResponse:
        title = "Please start again" if _status(error) != 401 else "Sign-in failed"
        return self.render("message.html", _status(error), title=title, message=error.message)

    def sign_in_page(self, pending: Pending, handle: str, browser: str, csrf: str, *, error: str | None = None,
                     email: str = "", status: int = 200) -> HTMLResponse:
        return self.render("sign_in.html", status, browser, title="Sign in", client=_client(pending),
                           handle=handle, csrf=csrf, error=error, email=email,
                           upstream=self.upstream.display_name if self.upstream.enabled else None)

    def redirect_to_client(self, redirect: Redirect) -> Response:
        params = {**redirect.params, "iss": issuer(self.runtime.settings.public_url)}
        return RedirectResponse(construct_redirect_uri(redirect.uri, **params), status_code=303,
                                headers={"Cache-Control": "no-store"})

    @staticmethod
    def goto(path: str, handle: str) -> Response:
        return RedirectResponse(f"{path}?request={handle}", status_code=303, headers={"Cache-Control": "no-store"})

    # -- handlers ---------------------------------------------------------------------------------

    async def sign_in(self, request: Request) -> Response:
        if request.method == "GET":
            handle = request.query_params.get("request", "")
            try:
                pending, browser, csrf = await self.requests.open_page(handle, request.cookies.get(COOKIE))
            except DomainError as error:
                return self.message(error)
            if pending.user_id is not None:
                return self.goto("/oauth/consent", handle)
            return self.sign_in_page(pending, handle, browser, csrf)
        form = await request.form()
        handle, cookie = str(form.get("request", "")), request.cookies.get(COOKIE)
        try:
            await self.requests.check_form(handle, cookie, _field(form.get("csrf_token")))
        except DomainError as error:
            return self.message(error)
        email = str(form.get("email", ""))
        try:
            user = await self.core.users.check_password(email, str(form.get("password", "")))
        except Unauthenticated as failed:
            # 401 on purpose: the shared rate limiter counts failed sign-ins with the other 401s.
            pending, browser, csrf = await self.requests.open_page(handle, cookie)
            return self.sign_in_page(pending, handle, browser, csrf, error=failed.message, email=email,
                                     status=401)
        await self.requests.sign_in(handle, user.id)
        return self.goto("/oauth/consent", handle)

    async def consent(self, request: Request) -> Response:
        if request.method == "GET":
            handle = request.query_params.get("request", "")
            try:
                pending, browser, csrf = await self.requests.open_page(handle, request.cookies.get(COOKIE))
            except DomainError as error:
                return self.message(error)
            if pending.user_id is None:
                return self.goto("/oauth/sign-in", handle)
            return self.render("consent.html", 200, browser, title="Allow access", client=_client(pending),
                               email=pending.user_email, handle=handle, csrf=csrf,
                               redirect_host=display_host(pending.redirect_uri),
                               loopback=is_loopback_http(pending.redirect_uri),
                               access=[FULL] if SCOPE_FULL in pending.scopes else [READ])
        form = await request.form()
        handle = str(form.get("request", ""))
        try:
            pending = await self.requests.check_form(handle, request.cookies.get(COOKIE),
                                                       _field(form.get("csrf_token")))
            if pending.user_id is None:
                return self.goto("/oauth/sign-in", handle)
            decision = form.get("decision")
            if decision == "allow":
                return self.redirect_to_client(await self.requests.approve(handle))
            if decision == "deny":
                return self.redirect_to_client(await self.requests.deny(handle))
        except DomainError as error:
            return self.message(error)
        return self.render("message.html", 400, title="Please start again",
                           message="Choose Allow or Deny on the consent page.")

    async def upstream_start(self, request: Request) -> Response:
        """Sign in with the upstream OpenID Connect provider: off to its authorization URL."""
        form = await request.form()
        handle = str(form.get("request", ""))
        try:
            await self.requests.check_form(handle, request.cookies.get(COOKIE),
                                           _field(form.get("csrf_token")))
            if not self.upstream.enabled:
                raise Unauthenticated("Single sign-on is not configured on this server.",
                                      code="upstream_disabled")
            begun = await self.upstream.start()
            await self.requests.start_upstream(handle, begun["state"], {
                "nonce": begun.get("nonce"), "code_verifier": begun.get("code_verifier")})
        except DomainError as error:
            return self.message(error)
        return RedirectResponse(begun["url"], status_code=303, headers={"Cache-Control": "no-store"})

    async def upstream_callback(self, request: Request) -> Response:
        """The upstream provider sent the browser back: its verified email signs the request in."""
        params = request.query_params
        try:
            handle, data = await self.requests.finish_upstream(params.get("state"),
                                                               request.cookies.get(COOKIE))
            if params.get("error") or not params.get("code"):
                raise Unauthenticated(f"Sign-in with {self.upstream.display_name} did not complete "
                                      f"({params.get('error') or 'no code'}).", code="upstream_failed")
            email = await self.upstream.finish(str(params.get("code")), data)
            await self.requests.sign_in_email(handle, email)
        except DomainError as error:
            return self.message(error)
        return self.goto("/oauth/consent", handle)


def _field(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _client(pending: Pending) -> str:
    return pending.client_name or "An unnamed app"
