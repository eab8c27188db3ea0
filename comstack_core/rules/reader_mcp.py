"""The project's switch for its site's public MCP server: ``settings.site.reader_mcp`` (on unless false)."""

from __future__ import annotations

from typing import Any

from ..errors import InvalidInput

KEY = "reader_mcp"


def reader_enabled(project_settings: dict[str, Any] | None) -> bool:
    site = (project_settings or {}).get("site") or {}
    return site.get(KEY, True) is not False


def check(site: dict[str, Any]) -> None:
    """The switch is a JSON boolean; anything else is refused, never guessed at."""
    if KEY in site and not isinstance(site[KEY], bool):
        raise InvalidInput(
            f"settings.site.{KEY} turns the site's public MCP server on or off: give true or false, not "
            f"{site[KEY]!r}.", code="invalid_settings")
