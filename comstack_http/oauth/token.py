"""``POST /oauth/token``: the SDK's token endpoint, except that authorization codes are redeemed by the core.

The SDK's handler checks the PKCE verifier itself and, when it does not match, answers without telling
the provider, so the code stays usable for another guess, and it accepts a verifier of any length.
Here an ``authorization_code`` grant goes to ``core.oauth.tokens.exchange_code`` in one call, which
checks the verifier (RFC 7636), the redirect URI and the code, and spends the code whatever the
outcome. Client authentication, request parsing and the response shapes stay the SDK's; refresh
grants are the SDK's handler unchanged.
"""

from __future__ import annotations

from mcp.server.auth.errors import stringify_pydantic_error
from mcp.server.auth.handlers.token import (
    AuthorizationCodeRequest,
    TokenErrorResponse,
    TokenHandler,
)
from mcp.server.auth.json_response import PydanticJSONResponse
from mcp.server.auth.middleware.client_auth import AuthenticationError, ClientAuthenticator
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

from comstack_core import Core
from comstack_core.errors import InvalidInput

from .provider import Provider, token_response

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class TokenEndpoint(TokenHandler):
    def __init__(self, provider: Provider, client_authenticator: ClientAuthenticator) -> None:
        super().__init__(provider, client_authenticator)
        self.ours = provider

    @property
    def core(self) -> Core:
        return self.ours.core

    async def handle(self, request: Request) -> Response:
        form = await request.form()  # Starlette keeps it: the SDK's handler reads the same form
        if form.get("grant_type") != "authorization_code":
            return await super().handle(request)
        try:
            client = await self.client_authenticator.authenticate_request(request)
        except AuthenticationError as error:
            return PydanticJSONResponse(TokenErrorResponse(error="invalid_client", error_description=error.message),
                                        status_code=401, headers=NO_STORE)
        try:
            asked = AuthorizationCodeRequest.model_validate(dict(form))
        except ValidationError as error:
            return self.response(TokenErrorResponse(error="invalid_request",
                                                    error_description=stringify_pydantic_error(error)))
        if "authorization_code" not in client.grant_types:
            return self.response(TokenErrorResponse(error="unsupported_grant_type",
                                                    error_description="This client did not register the "
                                                                      "authorization_code grant."))
        try:
            issued = await self.core.oauth.tokens.exchange_code(
                client.client_id, asked.code, code_verifier=asked.code_verifier,
                redirect_uri=str(asked.redirect_uri) if asked.redirect_uri is not None else None)
        except InvalidInput as error:
            code = "invalid_request" if error.code == "invalid_request" else "invalid_grant"
            return self.response(TokenErrorResponse(error=code, error_description=error.message))
        return self.response(token_response(issued))
