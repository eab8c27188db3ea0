"""Running one tool call: validate the arguments, call the handler, render the result or the error."""

from __future__ import annotations

import json
from typing import Any

import pydantic_core
from mcp_types import CallToolResult, TextContent
from pydantic import ValidationError

from comstack_core import Core

from . import errors
from .principal import current_principal
from .spec import ToolSpec


def render(value: Any) -> CallToolResult:
    """Text for every client (JSON, or Markdown for guides) plus structured content for those that use it."""
    if isinstance(value, str):
        return CallToolResult(content=[TextContent(type="text", text=value)])
    data = pydantic_core.to_jsonable_python({"ok": True} if value is None else value)
    structured = data if isinstance(data, dict) else {"items": data}
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=structured)


async def run_tool(spec: ToolSpec[Any], core: Core, arguments: dict[str, Any]) -> CallToolResult:
    try:
        args = spec.input.model_validate(arguments)
    except ValidationError as error:
        return errors.invalid_arguments(spec.name, error)
    try:
        result = await spec.handler(core, current_principal(), args)
    except Exception as error:  # every failure goes through the one error table
        return errors.tool_error(spec.name, error)
    return render(result)
