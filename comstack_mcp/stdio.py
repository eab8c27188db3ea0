"""The MCP door over stdio (``comstack mcp``): one process, one API key from the environment."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

import anyio
from sqlalchemy.engine import make_url

from comstack_core import Core, Settings
from comstack_core.errors import DomainError

from .principal import fixed_principal
from .server import build_server


class StdioConfigError(RuntimeError):
    """The environment does not name a usable API key and project."""


async def serve_stdio(settings: Settings | None = None, *, environ: Mapping[str, str] | None = None) -> None:
    env = os.environ if environ is None else environ
    raw_key = env.get("COMSTACK_API_KEY", "").strip()
    project_id = env.get("COMSTACK_PROJECT_ID", "").strip()
    if not raw_key or not project_id:
        raise StdioConfigError("Set COMSTACK_API_KEY and COMSTACK_PROJECT_ID to serve MCP over stdio.")
    settings = settings or Settings()
    where = _storage(settings)
    embedded = settings.database_url is None
    if embedded and not (settings.data_dir / "comstack.db").exists():
        # Opening would create an empty database here, and every key would then be "unknown".
        raise StdioConfigError(
            f"No ComStack database in {where}. Run `comstack mcp` from the folder where the server runs, or "
            "set COMSTACK_DATA_DIR (or --data-dir) to the server's data directory."
        )
    async with Core.open(settings) as core:
        try:
            principal = await core.keys.authenticate(raw_key, project_id, door="mcp")
        except DomainError as error:
            raise StdioConfigError(
                f"{error.message} ({error.code}) Keys were looked up in {where}; if the key was made by another "
                "server, point COMSTACK_DATA_DIR (or COMSTACK_DATABASE_URL) at that server's data."
            ) from error
        server = build_server(core, principal_for=fixed_principal(principal))
        await server.run_stdio_async()


def _storage(settings: Settings) -> str:
    """Where this process reads its data, for messages: the data directory, or the database server."""
    if settings.database_url is None:
        return f"the data directory {settings.data_dir.resolve()}"
    return f"the database {make_url(settings.database_url).render_as_string(hide_password=True)}"


def run_stdio(settings: Settings | None = None) -> None:
    """Serve MCP on stdin/stdout until the client closes it. Errors go to stderr (stdout is the protocol)."""
    try:
        anyio.run(serve_stdio, settings)
    except StdioConfigError as error:
        print(f"comstack mcp: {error}", file=sys.stderr)
        raise SystemExit(2) from error
