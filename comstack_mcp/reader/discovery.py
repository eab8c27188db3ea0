"""What a site says about its MCP server before anyone connects: the discovery document and the server card.

``/.well-known/mcp`` (and ``.json``) is the discovery document hosted docs sites serve (Mintlify's shape:
the server's URL, transport and that it needs no authentication). ``/.well-known/mcp/server-card.json`` is
an MCP Server Card (SEP-1649, now SEP-2127, a draft): the ``server.json`` shape of the MCP Registry —
name, title, description, version, website and its ``remotes`` — with the capabilities and tools, so a
client or a crawler knows what it gets without an initialization round trip.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from comstack_core.reader import ReaderSite

from .server import server_version
from .tools import READER_TOOLS

SERVER_CARD_SCHEMA = "https://static.modelcontextprotocol.io/schemas/v1/server-card.schema.json"  # SEP-2127 draft


def discovery_document(site: ReaderSite) -> dict[str, Any]:
    public = {"name": "public", "url": site.mcp_url, "transport": "http", "authentication": "none"}
    return {
        "version": "1.0.0",
        "name": site.name,
        "transport": "http",
        "url": site.mcp_url,
        "servers": [public],
        "server_card": site.base_url + ".well-known/mcp/server-card.json",
    }


def server_card(site: ReaderSite) -> dict[str, Any]:
    host = urlsplit(site.base_url).hostname or "localhost"
    return {
        "$schema": SERVER_CARD_SCHEMA,
        # Registry names are reverse-DNS of a domain the publisher controls, then a name.
        "name": ".".join(reversed(host.split("."))) + "/" + site.slug,
        "title": f"{site.name} documentation",
        "description": f"Search and read the published documentation of {site.name}."[:100],
        "version": server_version(),
        "websiteUrl": site.base_url,
        "remotes": [{"type": "streamable-http", "url": site.mcp_url}],
        "capabilities": {"tools": {}, "resources": {}},
        "authentication": {"required": False},
        "tools": [tool.to_mcp(site.name).model_dump(mode="json", by_alias=True, exclude_none=True)
                  for tool in READER_TOOLS],
    }
