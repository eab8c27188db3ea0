"""Error codes of a published site's public reader MCP server."""

from __future__ import annotations

from .entry import ErrorInfo as _E

CODES: dict[str, _E] = {
    "site_not_found": _E("No published site at that address (no such project, or nothing published yet).",
                         "Check the site's address; its owners publish it first."),
    "reader_mcp_off": _E("The site's owners turned its public MCP server off (settings.site.reader_mcp).",
                         "Read the site itself, or its llms.txt; a manager can turn the server on again."),
    "locale_not_on_site": _E("The site has no pages in that language; the message lists the languages it has.",
                             "Call again with one of the listed languages, or without a locale."),
}
