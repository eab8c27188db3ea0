"""``build_server(core)``: the composition root of the MCP door."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from mcp.server.caching import CacheHint
from mcp.server.mcpserver import Context, MCPServer
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS, CallToolResult, GetPromptResult, InputRequiredResult
from mcp_types import Resource as MCPResource
from mcp_types import Tool as MCPTool

from comstack_core import Core

from .catalog import all_tools, visible_tools
from .completions import complete
from .dispatch import run_tool
from .principal import PrincipalFor, PrincipalMiddleware, current_principal_or_none
from .resources import named_page_resources, register_resources
from .spec import ToolSpec
from .texts import INSTRUCTIONS

# Lists depend on who asks: a client may reuse them only within the same authorization context.
_PER_CALLER = CacheHint(ttl_ms=0, scope="private")


class ComstackServer(MCPServer[Any]):
    """An ``MCPServer`` whose tools come from ``ToolSpec`` data and are filtered per caller.

    ``list_tools`` and ``call_tool`` are the SDK's public hooks behind ``tools/list`` and
    ``tools/call``; overriding them keeps validation, error mapping and visibility in our hands.
    """

    def __init__(self, core: Core, *, principal_for: PrincipalFor, tools: Sequence[ToolSpec[Any]]) -> None:
        super().__init__(
            name="comstack",
            title="ComStack",
            description="AI-first headless CMS: knowledge pages, drafts, approval and publishing.",
            instructions=INSTRUCTIONS,
            version=_version(),
            cache_hints={"tools/list": _PER_CALLER, "resources/list": _PER_CALLER},
            middleware=[PrincipalMiddleware(principal_for)],
            # The SDK logs every stateless request at INFO ("Terminating session"); that is noise in a
            # server log and measurable per-request cost under load.
            log_level="WARNING",
        )
        self.core = core
        self.tool_specs = {spec.name: spec for spec in tools}
        if len(self.tool_specs) != len(tools):
            raise ValueError("tool names must be unique")
        register_resources(self, core)
        self.completion()(partial(complete, core))

    async def list_tools(self) -> list[MCPTool]:
        principal = current_principal_or_none()
        if principal is None:
            return []
        return [spec.to_mcp() for spec in await visible_tools(self.core, principal, self.tool_specs.values())]

    async def list_resources(self) -> list[MCPResource]:
        """The fixed resources, then the caller's live pages that carry an ``mcp_resource`` block."""
        fixed = await super().list_resources()
        principal = current_principal_or_none()
        if principal is None:
            return fixed
        return [*fixed, *await named_page_resources(self.core, principal)]

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> CallToolResult:
        spec = self.tool_specs.get(name)
        if spec is None:
            # A protocol problem, not a tool failure (MCP spec: unknown tool -> invalid params).
            raise MCPError(code=INVALID_PARAMS, message=f"Unknown tool: {name}. Call tools/list for the tools.")
        return await run_tool(spec, self.core, arguments)


    async def get_prompt(
        self, name: str, arguments: dict[str, Any] | None = None, context: Context[Any, Any] | None = None
    ) -> GetPromptResult | InputRequiredResult:
        # The SDK raises ValueError for an unknown prompt, which reaches the client as error code 0 with
        # a traceback in the log; an unknown name is the caller's mistake, like an unknown tool.
        if name not in {prompt.name for prompt in await self.list_prompts()}:
            raise MCPError(code=INVALID_PARAMS, message=f"Unknown prompt: {name}. Call prompts/list for the prompts.")
        return await super().get_prompt(name, arguments, context)


def build_server(
    core: Core, *, principal_for: PrincipalFor, tools: Sequence[ToolSpec[Any]] | None = None
) -> ComstackServer:
    """The MCP server for one Core. ``principal_for`` says who is calling (HTTP request state, or stdio key)."""
    return ComstackServer(core, principal_for=principal_for, tools=list(tools) if tools is not None else all_tools())


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("comstack")
    except PackageNotFoundError:
        return "0"
