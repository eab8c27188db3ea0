"""What the account's connector routes answer (SPEC §9 Account, §10)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from .base import View


class ConnectorConnection(View):
    client_id: str
    client_name: str | None = Field(description="The name the MCP client registered with (e.g. 'Claude').")
    scopes: list[str]
    connected_at: datetime
    last_used_at: datetime | None = Field(description="When the client last called this server with its token.")


class ConnectorStatus(View):
    connected: bool = Field(description="Whether an MCP client holds a live connection for this user.")
    last_used_at: datetime | None = Field(description="The latest call from any of the user's MCP clients.")
    client_name: str | None = Field(description="The most recently used client's name.")
    connections: list[ConnectorConnection]


class ClientSetup(BaseModel):
    name: str
    instructions: str
    config: dict[str, object] | None = Field(default=None, description="JSON to paste, when the client takes one.")
    command: str | None = Field(default=None, description="Shell command to run, when the client has one.")


class ConnectorConfig(View):
    mcp_url: str = Field(description="The URL to give any MCP client; it signs in with OAuth from there.")
    scopes: list[str]
    clients: dict[str, ClientSetup] = Field(description="Ready-to-paste setup per client: claude, claude_code, "
                                                        "cursor, chatgpt.")
