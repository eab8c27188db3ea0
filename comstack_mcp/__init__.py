"""ComStack's MCP front door: tools and resources over the core, for HTTP and stdio.

Nothing runs at import time: :func:`build_server` and :func:`create_http_endpoint` build everything.
"""

from __future__ import annotations

from .http import McpEndpoint, create_http_endpoint
from .server import ComstackServer, build_server
from .spec import Hints, ToolSpec

__all__ = ["ComstackServer", "Hints", "McpEndpoint", "ToolSpec", "build_server", "create_http_endpoint"]
