"""The floor for bench/mcp_load.py: a bare ``mcp`` SDK server with one trivial tool, served the same way
ComStack serves /mcp (stateless streamable HTTP, JSON responses) by the same uvicorn settings as
``comstack serve`` (one process, log level info, so both write an access log line per request) and the
same SDK log level as ComStack's server (WARNING)."""

from __future__ import annotations

import sys

import uvicorn
from mcp.server.mcpserver import MCPServer

server = MCPServer("floor", log_level="WARNING")  # as ComStack builds its server: no per-request INFO lines


@server.tool()
def echo(text: str = "hi") -> str:
    """Return the text."""
    return text


if __name__ == "__main__":
    app = server.streamable_http_app(stateless_http=True, json_response=True)
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="info", proxy_headers=False)
