"""Running one tool call: validate the arguments, call the handler, render the result or the error."""

from __future__ import annotations

import json
from typing import Any

from mcp_types import CallToolResult, TextContent
from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticSerializationError, to_json

from comstack_core import Core

from . import errors
from .principal import current_principal
from .spec import MarkdownText, ToolSpec


def render(spec: ToolSpec[Any], value: BaseModel) -> CallToolResult:
    """Structured content matching the tool's ``outputSchema``, and the same as text for clients that only
    read text (JSON, or the Markdown itself for documents)."""
    if not isinstance(value, spec.output):
        raise TypeError(f"{spec.name} returned {type(value).__name__}, not its declared {spec.output.__name__}")
    structured: dict[str, Any] = value.model_dump(mode="json")
    text = value.markdown if isinstance(value, MarkdownText) else compact_json(structured)
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=structured)


def compact_json(data: Any) -> str:
    """``json.dumps(data, ensure_ascii=False, separators=(",", ":"))``, written by pydantic-core in a third of the
    time. The text is the same but for floats with a negative exponent (``1e-7`` for ``1e-07``, the same number);
    a lone surrogate, which pydantic-core will not write, is left to ``json.dumps``."""
    try:
        return to_json(data, inf_nan_mode="constants").decode()
    except PydanticSerializationError:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


async def run_tool(spec: ToolSpec[Any], core: Core, arguments: dict[str, Any]) -> CallToolResult:
    try:
        principal = current_principal()
        # What the credential alone decides comes before the arguments, as on the REST door: a caller
        # who may not use the tool is told so, not how to fix arguments it cannot send.
        if spec.uses is not None:
            spec.rule.check_credential(principal)
    except Exception as error:
        return errors.tool_error(spec.name, error)
    try:
        args = spec.input.model_validate(arguments)
    except ValidationError as error:
        return errors.invalid_arguments(spec.name, error)
    try:
        result = await spec.handler(core, principal, args)
        return render(spec, result)
    except Exception as error:  # every failure goes through the one error table
        return errors.tool_error(spec.name, error)
