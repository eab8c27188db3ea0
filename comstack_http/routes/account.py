"""The caller's own account, and its MCP connectors (SPEC §9 Account): is this user's MCP client
connected, and how to connect one."""

from __future__ import annotations

from comstack_core.oauth.connectors import Connectors
from comstack_core.schemas import MeView
from comstack_core.schemas.oauth import ConnectorConfig, ConnectorStatus
from comstack_core.services.users import UserService

from .spec import Call, RouteSpec


async def whoami(call: Call) -> MeView:
    return await call.core.users.whoami(call.principal)


async def connector_status(call: Call) -> ConnectorStatus:
    return await call.core.oauth.connectors.status(call.principal)


async def connector_config(call: Call) -> ConnectorConfig:
    return await call.core.oauth.connectors.config(call.principal)


def specs() -> list[RouteSpec]:
    return [
        RouteSpec(
            "GET",
            "/api/accounts/me",
            whoami,
            "Who am I: user or key, scopes, accounts, projects",
            "account",
            response=MeView,
            uses=UserService.whoami,
        ),
        RouteSpec(
            "GET",
            "/api/account/connectors/claude/status",
            connector_status,
            "Whether the signed-in user's MCP client (Claude, Cursor, ...) is connected, when it was last "
            "used and which client it is",
            "account",
            response=ConnectorStatus,
            extra_errors=(403,),
            uses=Connectors.status,
        ),
        RouteSpec(
            "GET",
            "/api/account/connectors/claude/config",
            connector_config,
            "Ready-to-paste settings to connect Claude, Claude Code, Cursor or ChatGPT to this server",
            "account",
            response=ConnectorConfig,
            uses=Connectors.config,
        ),
    ]
