"""What a model reads when something goes wrong. The only place that decides it for the MCP door.

- A ``DomainError`` is the caller's to fix: a tool result with ``isError: true`` whose text is the
  message, the code, the details and the next step from the error catalogue.
- ``ProjectMismatch`` (an API key used on another project) is a protocol problem: JSON-RPC
  ``InvalidRequest`` (-32600), as SPEC §2 requires.
- Arguments that fail the input model: ``isError`` listing each field problem, so the model can
  correct the call.
- Anything else is our bug: logged with its traceback under a reference id; the model sees only
  ``internal error, reference <id>`` (never a stack trace or SQL).
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any, NoReturn

from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_REQUEST, CallToolResult, TextContent
from pydantic import ValidationError

from comstack_core.errors import DomainError, NotFound, ProjectMismatch

from .error_catalog import next_step

logger = logging.getLogger("comstack_mcp")


def domain_text(error: DomainError) -> str:
    lines = [error.message, f"code: {error.code}"]
    if error.details:
        lines.append("details: " + json.dumps(error.details, default=str, ensure_ascii=False))
    step = next_step(error.code)
    if step:
        lines.append(f"next step: {step}")
    return "\n".join(lines)


def _error_result(text: str, structured: dict[str, Any]) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=structured, is_error=True)


def _protocol_error(error: ProjectMismatch) -> NoReturn:
    raise MCPError(code=INVALID_REQUEST, message=error.message, data=error.to_dict()) from error


def invalid_arguments(tool: str, error: ValidationError) -> CallToolResult:
    problems = []
    for item in error.errors(include_url=False, include_input=False):
        where = ".".join(str(part) for part in item["loc"]) or "(arguments)"
        problems.append(f"- {where}: {item['msg']}")
    text = (
        f"Invalid arguments for {tool}:\n" + "\n".join(problems)
        + "\ncode: invalid_arguments\nnext step: fix these fields (the tool's inputSchema lists them) and call again."
    )
    return _error_result(text, {"error": f"Invalid arguments for {tool}", "code": "invalid_arguments",
                                "problems": problems})


def internal_reference(what: str, error: BaseException) -> str:
    reference = uuid.uuid4().hex[:12]
    logger.error("MCP %s failed unexpectedly, reference %s", what, reference, exc_info=error)
    return reference


def tool_error(tool: str, error: BaseException) -> CallToolResult:
    """Turn what a tool handler raised into its result; raises for protocol-level errors."""
    if isinstance(error, ProjectMismatch):
        _protocol_error(error)
    if isinstance(error, MCPError):
        raise error
    if isinstance(error, DomainError):
        logger.info("MCP tool %s refused: %s (%s)", tool, error.code, error.message)
        return _error_result(domain_text(error), error.to_dict())
    reference = internal_reference(f"tool {tool}", error)
    return _error_result(f"internal error, reference {reference}", {"error": "internal error",
                                                                     "code": "internal_error",
                                                                     "reference": reference})


def completion_error(error: BaseException) -> None:
    """Completions are hints: a refusal means no suggestions (the read itself reports it), a bug is raised."""
    if isinstance(error, ProjectMismatch):
        _protocol_error(error)
    if isinstance(error, DomainError):
        return None
    raise error


def resource_error(uri: str, error: BaseException) -> Exception:
    """The exception a resource reader raises instead of ``error`` (resource reads have no isError)."""
    if isinstance(error, ProjectMismatch):
        return MCPError(code=INVALID_REQUEST, message=error.message, data=error.to_dict())
    if isinstance(error, MCPError | ResourceError):
        return error
    if isinstance(error, NotFound):
        return ResourceNotFoundError(domain_text(error))
    if isinstance(error, DomainError):
        return ResourceError(domain_text(error))
    return ResourceError(f"internal error, reference {internal_reference(f'resource {uri}', error)}")
