"""ComStack's MCP front door: tools and resources over the core, for stdio here and for HTTP in
``comstack_http`` (which mounts the same server at ``/mcp``).

Nothing runs at import time: :func:`build_server` builds everything.
"""

from __future__ import annotations

from .principal import PrincipalFor
from .server import ComstackServer, build_server
from .spec import Hints, ToolSpec

__all__ = ["ComstackServer", "Hints", "PrincipalFor", "ToolSpec", "build_server"]
