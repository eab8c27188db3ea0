"""The caller's own account."""

from __future__ import annotations

from comstack_core.schemas import MeView

from .spec import Call, RouteSpec


async def whoami(call: Call) -> MeView:
    return await call.core.users.whoami(call.principal)


def specs() -> list[RouteSpec]:
    return [
        RouteSpec(
            "GET",
            "/api/accounts/me",
            whoami,
            "Who am I: user or key, scopes, accounts, projects",
            "account",
            response=MeView,
        ),
    ]
