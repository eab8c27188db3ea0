"""Tools are data: a ``ToolSpec`` declares everything about a tool; the server only interprets the list.

Each spec names the input model (a pydantic model reusing the core's schemas), the handler (one core
service call), the least role that makes the tool worth showing, whether it writes, and all four MCP
annotations. The handler's return annotation is the tool's output model (a core view, or a small wrapper
here when MCP needs an object around a list): it gives the ``outputSchema`` and shapes the
``structuredContent`` of every call. The per-caller ``tools/list`` filter, the schema snapshots and the
rule tests all read these fields, so a tool cannot forget one: ``Hints`` has no defaults.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Generic, Literal, TypeVar, get_type_hints

from mcp_types import Tool, ToolAnnotations
from pydantic import BaseModel, Field

from comstack_core import Core, Principal

MinRole = Literal["viewer", "editor", "manager", "platform_admin"]

ArgsT = TypeVar("ArgsT", bound=BaseModel)


@dataclass(frozen=True)
class Hints:
    """The four MCP tool annotations, all required (a client trusts what is declared, so declare all)."""

    read_only: bool
    destructive: bool
    idempotent: bool
    open_world: bool


READ = Hints(read_only=True, destructive=False, idempotent=True, open_world=False)


class MarkdownText(BaseModel):
    """A result that is a document: its text content is the Markdown itself, not JSON."""

    markdown: str = Field(description="The document, in Markdown.")


def output_model(handler: Callable[..., Any]) -> type[BaseModel]:
    """The pydantic model a handler declares it returns; anything else is a programming error."""
    returns = get_type_hints(handler).get("return")
    if not (isinstance(returns, type) and issubclass(returns, BaseModel)):
        raise TypeError(
            f"tool handler {handler.__qualname__} must declare a pydantic model as its return type, not {returns!r}"
        )
    return returns


@dataclass(frozen=True)
class ToolSpec(Generic[ArgsT]):
    name: str
    title: str
    description: str
    input: type[ArgsT]
    handler: Callable[[Core, Principal, ArgsT], Awaitable[Any]]
    min_role: MinRole
    writes: bool
    hints: Hints
    # API keys belong to one project; account-level tools (create-project) are useless to them.
    keys_allowed: bool = True

    @cached_property
    def output(self) -> type[BaseModel]:
        return output_model(self.handler)

    @property
    def project_scoped(self) -> bool:
        return "project_id" in self.input.model_fields

    def annotations(self) -> ToolAnnotations:
        return ToolAnnotations(
            title=self.title,
            read_only_hint=self.hints.read_only,
            destructive_hint=self.hints.destructive,
            idempotent_hint=self.hints.idempotent,
            open_world_hint=self.hints.open_world,
        )

    def input_schema(self) -> dict[str, Any]:
        return lean_schema(self.input.model_json_schema())

    @cached_property
    def output_schema(self) -> dict[str, Any]:
        # Serialization mode: the schema of what the tool sends, as ``model_dump(mode="json")`` writes it.
        schema: dict[str, Any] = lean_schema(self.output.model_json_schema(mode="serialization"))
        return schema

    def to_mcp(self) -> Tool:
        return Tool(
            name=self.name,
            title=self.title,
            description=self.description,
            input_schema=self.input_schema(),
            output_schema=self.output_schema,
            annotations=self.annotations(),
        )


_LITERAL_KEYWORDS = frozenset({"default", "examples", "const", "enum"})


def lean_schema(schema: Any, *, in_properties: bool = False) -> Any:
    """Drop pydantic's generated ``title`` keywords: they repeat the field names and cost the model tokens.

    Inside a ``properties`` map the keys are field names (a field may be called ``title``), so only
    schema objects lose the keyword, never a property.
    """
    if isinstance(schema, list):
        return [lean_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "title" and not in_properties and isinstance(value, str):
            continue
        if key in _LITERAL_KEYWORDS:
            out[key] = value
            continue
        out[key] = lean_schema(value, in_properties=key in ("properties", "$defs"))
    return out
