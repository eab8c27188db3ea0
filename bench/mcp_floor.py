"""The floor for bench/mcp_load.py: a bare ``mcp`` SDK server with one trivial tool, served the same way
ComStack serves /mcp (stateless streamable HTTP, JSON responses) by the same uvicorn settings as
``comstack serve`` (one process, log level info, an access log line per request unless
``--no-access-log``) and the same SDK log level as ComStack's server (WARNING).

    python bench/mcp_floor.py PORT [--no-access-log]
"""

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
    access_log = "--no-access-log" not in sys.argv[2:]
    uvicorn.run(
        app, host="127.0.0.1", port=int(sys.argv[1]), log_level="info", access_log=access_log, proxy_headers=False
    )
