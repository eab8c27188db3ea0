"""Resources: the guides, the metadata schema, the error codes, the icon names, and live pages.

Live pages are read through one template (default language, by slug); a live page whose metadata has an
``mcp_resource`` block is also listed by name, per caller (``named_page_resources``).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.resources import FunctionResource
from mcp_types import Resource

from comstack_core import Core, Principal
from comstack_core.rules import mcp_resource
from comstack_core.rules.icons import icon_names
from comstack_core.schemas import PageRef, PageView

from . import errors, texts
from .principal import current_principal

PAGE_TEMPLATE = "comstack://projects/{project_id}/pages/{+slug}"

# (uri, name, description, mime type, guide topic)
GUIDES = [
    ("comstack://guide", "guide", "The ComStack workflow: projects, drafts, approval, publishing, and the rules "
     "every tool follows. Read before the first edit.", "workflow"),
    ("comstack://publishing-guide", "publishing-guide", "Publishing: the dry-run manifest, the user's explicit yes, "
     "publish-confirm, publish-status, revert.", "publishing"),
    ("comstack://lighthouse", "lighthouse", "Rules for fast, accessible, search-friendly custom pages.",
     "lighthouse"),
    ("comstack://faq", "faq", "Frequently asked questions about ComStack.", "faq"),
    ("comstack://cookbook", "cookbook", "Recipes for common requests, tool by tool.", "cookbook"),
    ("comstack://errors", "errors", "Every error code and what to do about it.", "errors"),
]


def page_uri(project_id: str, slug: str) -> str:
    """The template's URI for one page (slugs are ``[a-z0-9-]`` segments joined by '/': nothing to escape)."""
    return PAGE_TEMPLATE.replace("{project_id}", project_id).replace("{+slug}", slug)


async def named_page_resources(core: Core, principal: Principal) -> list[Resource]:
    """The caller's live pages that ask to be listed (their ``mcp_resource`` block), as resources."""
    return [
        Resource(
            uri=page_uri(page.project_id, page.slug),
            name=page.name,
            title=page.title,
            description=page.description or None,
            mime_type="text/markdown",
        )
        for page in await core.page_resources.list_page_resources(principal)
    ]


def _guarded(uri: str, read: Callable[[], Awaitable[str]]) -> Callable[[], Awaitable[str]]:
    async def guarded() -> str:
        try:
            return await read()
        except Exception as error:
            raise errors.resource_error(uri, error) from error

    return guarded


def _guide_reader(topic: str) -> Callable[[], Awaitable[str]]:
    async def read() -> str:
        return texts.guide(topic)

    return read


def page_markdown(page: PageView) -> str:
    head = f"# {page.title}\n\n"
    if page.description:
        head += f"> {page.description}\n\n"
    if page.page_type == "custom":
        return head + f"```{page.body_format or 'html'}\n{page.body_source or ''}\n```\n"
    return head + page.content + ("" if page.content.endswith("\n") else "\n")


def register_resources(server: MCPServer[Any], core: Core) -> None:
    for uri, name, description, topic in GUIDES:
        server.add_resource(FunctionResource.from_function(
            _guarded(uri, _guide_reader(topic)), uri=uri, name=name, description=description,
            mime_type="text/markdown"))

    async def schema() -> str:
        templates = await core.templates.list_doc_templates(current_principal())
        data = [t.model_dump(mode="json", exclude={"builtin", "deleted"}) for t in templates]
        # Keys every page's metadata may carry whatever its template, with a fixed shape.
        reserved = {mcp_resource.KEY: mcp_resource.describe()}
        return json.dumps({"doc_templates": data, "reserved_metadata": reserved}, indent=1, ensure_ascii=False)

    server.add_resource(FunctionResource.from_function(
        _guarded("comstack://schema", schema), uri="comstack://schema", name="schema",
        description="Every doc template (content type) with every metadata field: type, required, schema.org "
        "mapping, instructions; and the reserved metadata any page may carry (mcp_resource: list a live page "
        "as a named resource). Metadata is validated against these on save and approval.",
        mime_type="application/json"))

    async def icons() -> str:
        return "\n".join(sorted(icon_names())) + "\n"

    server.add_resource(FunctionResource.from_function(
        _guarded("comstack://icons", icons), uri="comstack://icons", name="icons",
        description="The Material Symbols Rounded icon names accepted for sidebar groups, one per line.",
        mime_type="text/plain"))

    async def live_page(project_id: str, slug: str) -> str:
        try:
            page = await core.pages.get_page(current_principal(), project_id, PageRef(slug=slug), variant="live")
        except Exception as error:
            raise errors.resource_error(f"comstack://projects/{project_id}/pages/{slug}", error) from error
        return page_markdown(page)

    server.resource(
        PAGE_TEMPLATE, name="live-page", title="Live page",
        description="The live (published) version of a page in the project's default language, as Markdown.",
        mime_type="text/markdown",
    )(live_page)
