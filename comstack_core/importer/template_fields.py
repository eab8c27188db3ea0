"""Front matter keys named like the doc template's fields become those fields, in the types the template
declares; a value that cannot be made to fit is kept under another key, never passed on to fail the save."""

from __future__ import annotations

from typing import Any

from ..errors import InvalidInput
from ..rules.mcp_resource import KEY as MCP_RESOURCE_KEY
from ..rules.templates import check_metadata_types
from .lines import Context


def _coerce(type_: str, value: Any) -> Any:
    if type_ == "array" and isinstance(value, str):
        # 'tags: a, b' is a common way of writing a list in front matter.
        return [part.strip() for part in value.split(",") if part.strip()]
    if type_ == "string" and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if type_ == "number" and isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() else number
    if type_ == "date" and isinstance(value, str) and "T" not in value and " " in value.strip():
        return value.strip().replace(" ", "T", 1)  # '2024-05-01 10:00:00' -> ISO 8601
    return value


def apply_template_fields(metadata: dict[str, Any], fields: list[dict[str, Any]], ctx: Context) -> list[str]:
    """Coerce matching keys in place; return the names of the template fields the page now has."""
    matched = []
    for f in fields:
        name = f["name"]
        if name not in metadata or metadata[name] is None:
            continue
        value = _coerce(f["type"], metadata[name])
        try:
            check_metadata_types([f], {name: value})
        except InvalidInput:
            metadata.pop(name)
            metadata[f"{name}_source"] = value
            ctx.note(
                None, "info", "template_field_type",
                f"Front matter {name!r} is not a {f['type']} as the template expects; kept as {name + '_source'!r}.",
            )
            continue
        metadata[name] = value
        matched.append(name)
    if MCP_RESOURCE_KEY in metadata:
        try:
            check_metadata_types([], {MCP_RESOURCE_KEY: metadata[MCP_RESOURCE_KEY]})
        except InvalidInput as exc:
            metadata[f"{MCP_RESOURCE_KEY}_source"] = metadata.pop(MCP_RESOURCE_KEY)
            ctx.note(None, "info", "mcp_resource_invalid", f"{exc.message} Kept as '{MCP_RESOURCE_KEY}_source'.")
    return matched
