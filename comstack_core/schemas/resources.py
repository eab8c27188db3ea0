from __future__ import annotations

from pydantic import Field

from .base import View


class PageResource(View):
    """A live page listed as a named MCP resource (its metadata carries an ``mcp_resource`` block)."""

    project_id: str
    slug: str
    language: str = Field(description="Always the project's default language (the page template's).")
    name: str
    title: str
    description: str
