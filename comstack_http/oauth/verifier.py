"""The bearer-token verifier the shared ``AuthMiddleware`` calls for ``Authorization: Bearer``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from comstack_core import Principal
from comstack_core.auth import Door

if TYPE_CHECKING:
    from ..runtime import Runtime


class OAuthTokenVerifier:
    """Access tokens issued by this server; the core checks expiry, revocation and audience."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def verify(self, token: str, *, door: Door) -> Principal:
        return await self.runtime.core.oauth.tokens.authenticate(token, door=door)
