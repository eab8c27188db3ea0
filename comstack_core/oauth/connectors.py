"""The account's connectors: whether the signed-in user's MCP clients are connected, and ready-to-paste
settings to connect one."""

from __future__ import annotations

from sqlmodel import col, select

from ..auth import Principal
from ..models import OAuthClient, OAuthGrant, OAuthToken
from ..rules.redirects import canonical_resource
from ..schemas.oauth import ClientSetup, ConnectorConfig, ConnectorConnection, ConnectorStatus
from ..usecases import Need, use_case
from .base import SCOPES, OAuthPart


class Connectors(OAuthPart):
    # Connectors belong to a person, not to an API key.
    @use_case(Need.person, writes=False)
    async def status(self, principal: Principal) -> ConnectorStatus:
        async with self.db.read() as session:
            rows = (
                await session.exec(
                    select(OAuthGrant, OAuthClient)
                    .join(OAuthClient)
                    .where(
                        OAuthGrant.user_id == principal.user_id,
                        col(OAuthGrant.revoked_at).is_(None),
                        col(OAuthGrant.expires_at) > self.now(),
                        # A consent whose code was never exchanged is not a connection.
                        col(OAuthGrant.id).in_(select(OAuthToken.grant_id)),
                    )
                )
            ).all()
        connections = sorted(
            (
                ConnectorConnection(
                    client_id=client.id,
                    client_name=client.client_name,
                    scopes=grant.scopes,
                    connected_at=grant.created_at,
                    last_used_at=grant.last_used_at,
                )
                for grant, client in rows
            ),
            key=lambda c: c.last_used_at or c.connected_at,
            reverse=True,
        )
        latest = connections[0] if connections else None
        return ConnectorStatus(
            connected=latest is not None,
            last_used_at=latest.last_used_at if latest else None,
            client_name=latest.client_name if latest else None,
            connections=connections,
        )

    @use_case(Need.caller, writes=False)
    async def config(self, principal: Principal) -> ConnectorConfig:
        """Ready-to-paste client settings; any signed-in caller may read them (they hold no secret)."""
        url = canonical_resource(self.ctx.settings.public_url) + "/mcp"
        return ConnectorConfig(
            mcp_url=url,
            scopes=list(SCOPES),
            clients={
                "claude": ClientSetup(
                    name="Claude (claude.ai and Claude Desktop)",
                    instructions="Settings > Connectors > Add custom connector: name it ComStack, paste the URL, "
                    "then Connect and sign in.",
                    config={"name": "ComStack", "url": url},
                ),
                "claude_code": ClientSetup(
                    name="Claude Code",
                    instructions="Run the command, then /mcp in Claude Code to sign in.",
                    command=f"claude mcp add --transport http comstack {url}",
                ),
                "cursor": ClientSetup(
                    name="Cursor",
                    instructions="Add to ~/.cursor/mcp.json (or .cursor/mcp.json in a project); "
                    "Cursor opens the sign-in page on first use.",
                    config={"mcpServers": {"comstack": {"url": url}}},
                ),
                "chatgpt": ClientSetup(
                    name="ChatGPT",
                    instructions="Settings > Connectors > Create (developer mode): paste the URL, "
                    "choose OAuth, then sign in.",
                    config={"name": "ComStack", "url": url, "authentication": "oauth"},
                ),
            },
        )
