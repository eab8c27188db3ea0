"""``python -m comstack_mcp``: the stdio server, configured from COMSTACK_* environment variables."""

from __future__ import annotations

from .stdio import run_stdio

if __name__ == "__main__":
    run_stdio()
