"""The ``mcp_resource`` metadata block: a live page that carries one is listed as a named MCP resource.

    "mcp_resource": {"name": "pricing", "title": "Price list", "description": "Current prices, in EUR."}

Every key is optional; an empty object lists the page under its slug, title and description.
"""

from __future__ import annotations

from typing import Any

KEY = "mcp_resource"
# Longest value each key accepts. A name is an identifier clients show in pickers, so it stays short.
LIMITS = {"name": 64, "title": 200, "description": 500}


def describe() -> dict[str, Any]:
    """The block as a JSON schema, for the ``comstack://schema`` resource."""
    return {
        "type": "object",
        "description": "Optional on any page. A live page in the project's default language whose metadata "
        "has this object is listed in MCP resources/list as comstack://projects/{project_id}/pages/{slug}. "
        "Each key falls back to the page's own: name to the slug, title and description to the page's. "
        "Set it to null to stop listing the page.",
        "properties": {
            "name": {
                "type": "string",
                "maxLength": LIMITS["name"],
                "description": "Short identifier, one line.",
            },
            "title": {
                "type": "string",
                "maxLength": LIMITS["title"],
                "description": "Display name, one line.",
            },
            "description": {
                "type": "string",
                "maxLength": LIMITS["description"],
                "description": "When an assistant should read this page.",
            },
        },
        "additionalProperties": False,
    }


def mcp_resource_problems(metadata: dict[str, Any]) -> list[str]:
    """What is wrong with the page's ``mcp_resource`` block, one line per problem (none when absent)."""
    block = metadata.get(KEY)
    if block is None:
        return []
    if not isinstance(block, dict):
        return [
            f'{KEY}: expected an object like {{"name": "pricing", "description": "..."}}, '
            f"got {type(block).__name__} (set it to null to remove it)"
        ]
    problems = []
    unknown = sorted(set(block) - set(LIMITS))
    if unknown:
        problems.append(f"{KEY}: unknown key(s) {', '.join(unknown)}; use name, title, description")
    for key, limit in LIMITS.items():
        value = block.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            problems.append(f"{KEY}.{key}: expected string, got {type(value).__name__}")
        elif not value.strip():
            problems.append(f"{KEY}.{key}: must not be blank (leave it out to use the page's own)")
        elif len(value) > limit:
            problems.append(f"{KEY}.{key}: at most {limit} characters, got {len(value)}")
        elif key != "description" and any(ch in value for ch in "\r\n\t"):
            problems.append(f"{KEY}.{key}: must be one line")
    return problems


def resource_fields(block: dict[str, Any], slug: str, title: str, description: str) -> tuple[str, str, str]:
    """(name, title, description) of the listed resource: the block's, else the page's own."""

    def pick(key: str, fallback: str) -> str:
        value = block.get(key)
        return value.strip() if isinstance(value, str) and value.strip() else fallback

    return pick("name", slug), pick("title", title), pick("description", description)
