"""How the caller's Principal reaches tools and resources.

Each transport says where the principal comes from (``PrincipalFor``): over HTTP the HTTP door has
already resolved the request's credentials and hands over a ``PrincipalFor`` that reads them; over
stdio it is the one key authenticated at start (:func:`fixed_principal`). ``PrincipalMiddleware`` (an
SDK server middleware, so it wraps every MCP message) resolves it once per message into a context
variable, because some SDK hooks (``list_tools``, ``list_resources``) receive no request context of
their own.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext

from comstack_core import Principal
from comstack_core.errors import Unauthenticated

PrincipalFor = Callable[[ServerRequestContext[Any, Any]], Principal | None]

_current: ContextVar[Principal | None] = ContextVar("comstack_mcp_principal", default=None)


def fixed_principal(principal: Principal) -> PrincipalFor:
    """stdio: one process, one credential."""
    bound = principal.via("mcp")

    def resolve(ctx: ServerRequestContext[Any, Any]) -> Principal | None:
        return bound

    return resolve


class PrincipalMiddleware:
    def __init__(self, principal_for: PrincipalFor) -> None:
        self.principal_for = principal_for

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        token = _current.set(self.principal_for(ctx))
        try:
            return await call_next(ctx)
        finally:
            _current.reset(token)


def current_principal_or_none() -> Principal | None:
    return _current.get()


def current_principal() -> Principal:
    principal = _current.get()
    if principal is None:
        raise Unauthenticated(
            "Authentication required: connect with an OAuth token or the x-api-key + x-project-id headers.",
            code="unauthenticated",
        )
    return principal
