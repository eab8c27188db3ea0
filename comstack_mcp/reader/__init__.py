"""The public MCP server of a published site: search and read its live pages, no credentials.

One server answers for every site; the HTTP door says which site a request is for (``SiteFor``), and
every tool and resource reads that site's served deployment through ``core.reader``.
"""

from .discovery import discovery_document, server_card
from .server import ReaderServer, SiteFor, build_reader_server
from .tools import READER_TOOLS, ReaderTool

__all__ = [
    "READER_TOOLS", "ReaderServer", "ReaderTool", "SiteFor", "build_reader_server", "discovery_document", "server_card",
]
