"""``POST /oauth/revoke`` (RFC 7009) for public clients.

The SDK's ``RevocationHandler`` validates its form with ``client_secret`` as a required field, which
public clients (the only kind this server registers) never send, so every RFC-conformant request
would be a 400. This handler keeps the SDK's client authentication and does the rest of RFC 7009:
find the token (either kind, whatever the hint), revoke its grant if it belongs to the calling
client, and answer 200 even for unknown tokens (§2.2) so the endpoint reveals nothing.
"""

from __future__ import annotations

from mcp.server.auth.middleware.client_auth import AuthenticationError, ClientAuthenticator
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .provider import Provider

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class RevocationHandler:
    def __init__(self, provider: Provider) -> None:
        self.provider = provider
        self.clients = ClientAuthenticator(provider)

    async def handle(self, request: Request) -> Response:
        try:
            client = await self.clients.authenticate_request(request)
        except AuthenticationError as error:
            return JSONResponse({"error": "invalid_client", "error_description": error.message}, 401,
                                headers=NO_STORE)
        token = (await request.form()).get("token")
        if not isinstance(token, str) or not token:
            return JSONResponse({"error": "invalid_request", "error_description": "The 'token' field is required."},
                                400, headers=NO_STORE)
        found = await self.provider.load_access_token(token) or await self.provider.load_refresh_token(client, token)
        if found is not None and found.client_id == client.client_id:
            await self.provider.revoke_token(found)
        return Response(status_code=200, headers=NO_STORE)
