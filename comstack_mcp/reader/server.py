"""``build_reader_server(core, site_for)``: the MCP server every published site answers with."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from contextvars import ContextVar
from typing import Any

from mcp.server.caching import CacheHint
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.lowlevel.helper_types import ReadResourceContents
from mcp.server.mcpserver import Context, MCPServer
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS, CallToolResult, GetPromptResult, InputRequiredResult, TextContent
from mcp_types import Resource as MCPResource
from mcp_types import Tool as MCPTool
from pydantic import AnyUrl, ValidationError

from comstack_core import Core
from comstack_core.errors import NotFound
from comstack_core.reader import ReaderSite
from comstack_core.schemas.reader import ReaderPageRef

from .. import errors
from .tools import READER_TOOLS, ReaderTool

SiteFor = Callable[[ServerRequestContext[Any, Any]], ReaderSite | None]

RESOURCES_LISTED = 1000  # pages per resources/list; every page stays readable by its URL
INSTRUCTIONS = (
    "This server searches and reads one published documentation site, as its readers see it now. Use search "
    "to find the pages about a question, get-page to read one as Markdown before answering, list-pages to see "
    "everything the site covers. Cite the pages' URLs."
)
# Lists depend on the site the request is for.
_PER_SITE = CacheHint(ttl_ms=0, scope="private")

_site: ContextVar[ReaderSite | None] = ContextVar("comstack_reader_site", default=None)


class SiteMiddleware:
    def __init__(self, site_for: SiteFor) -> None:
        self.site_for = site_for

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        token = _site.set(self.site_for(ctx))
        try:
            return await call_next(ctx)
        finally:
            _site.reset(token)


def current_site() -> ReaderSite:
    site = _site.get()
    if site is None:  # the HTTP door always resolves the site first; this is a wiring error
        raise NotFound("No published site for this request.", code="site_not_found")
    return site


class ReaderServer(MCPServer[Any]):
    def __init__(self, core: Core, *, site_for: SiteFor, tools: Sequence[ReaderTool[Any]]) -> None:
        super().__init__(
            name="comstack-site",
            title="Documentation search",
            description="Search and read a published ComStack documentation site.",
            instructions=INSTRUCTIONS,
            version=server_version(),
            cache_hints={"tools/list": _PER_SITE, "resources/list": _PER_SITE},
            middleware=[SiteMiddleware(site_for)],
            log_level="WARNING",
        )
        self.core = core
        self.tool_specs = {tool.name: tool for tool in tools}

    async def list_tools(self) -> list[MCPTool]:
        site = current_site()
        return [tool.to_mcp(site.name) for tool in self.tool_specs.values()]

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> CallToolResult:
        tool = self.tool_specs.get(name)
        if tool is None:
            raise MCPError(code=INVALID_PARAMS, message=f"Unknown tool: {name}. Call tools/list for the tools.")
        try:
            args = tool.input.model_validate(arguments)
        except ValidationError as error:
            return errors.invalid_arguments(tool.name, error)
        try:
            result = await tool.handler(self.core, current_site(), args)
        except Exception as error:  # every failure goes through the one error table
            return errors.tool_error(tool.name, error)
        structured: dict[str, Any] = result.model_dump(mode="json")
        text = json.dumps(structured, ensure_ascii=False, separators=(",", ":"))
        return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=structured)

    async def get_prompt(
        self, name: str, arguments: dict[str, Any] | None = None, context: Context[Any, Any] | None = None
    ) -> GetPromptResult | InputRequiredResult:
        # The server has no prompts; the SDK would answer an unknown name as an internal error.
        raise MCPError(code=INVALID_PARAMS, message=f"Unknown prompt: {name}. This server has no prompts.")

    async def list_resources(self) -> list[MCPResource]:
        """``llms.txt``, then the live pages (their Markdown URLs; custom pages by their own URL)."""
        site = current_site()
        out = [MCPResource(uri=site.base_url + "llms.txt", name="llms.txt", title="llms.txt",
                           description="The site's index for language models: every page with a link to its "
                                       "Markdown.", mime_type="text/plain")]
        for doc in (await self.core.reader.pages(site))[:RESOURCES_LISTED]:
            out.append(MCPResource(uri=site.base_url + doc.path, name=doc.path or "home", title=doc.title,
                                   description=doc.summary or None, mime_type="text/markdown"))
        return out

    async def read_resource(
        self, uri: AnyUrl | str, context: Context[Any, Any] | None = None
    ) -> Iterable[ReadResourceContents] | InputRequiredResult:
        site = current_site()
        text = str(uri)
        try:
            if not text.startswith(site.base_url):
                raise NotFound(f"{text!r} is not a page of this site: its pages' URLs start with {site.base_url}.",
                               code="page_not_found")
            if text == site.base_url + "llms.txt":
                return [ReadResourceContents(content=await self.core.reader.llms_txt(site), mime_type="text/plain")]
            page = await self.core.reader.get_page(site, ReaderPageRef(url=text[:2000]))
        except Exception as error:
            raise errors.resource_error(text, error) from error
        return [ReadResourceContents(content=page.markdown, mime_type="text/markdown")]


def build_reader_server(
    core: Core, *, site_for: SiteFor, tools: Sequence[ReaderTool[Any]] | None = None
) -> ReaderServer:
    return ReaderServer(core, site_for=site_for, tools=list(tools) if tools is not None else READER_TOOLS)


def server_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("comstack")
    except PackageNotFoundError:
        return "0"
