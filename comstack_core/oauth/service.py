"""``core.oauth``: the authorization server's sections on one object."""

from __future__ import annotations

from ..services.base import Context
from .authorization import AuthorizationRequests
from .clients import Clients
from .connectors import Connectors
from .tokens import Tokens


class OAuthService:
    def __init__(self, ctx: Context) -> None:
        self.clients = Clients(ctx)
        self.authorization = AuthorizationRequests(ctx)
        self.tokens = Tokens(ctx)
        self.connectors = Connectors(ctx)
