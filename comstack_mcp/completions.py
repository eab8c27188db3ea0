"""Argument completion for the live-page resource template: project ids, then page slugs."""

from __future__ import annotations

from typing import Any

from mcp_types import (
    Completion,
    CompletionArgument,
    CompletionContext,
    PromptReference,
    ResourceTemplateReference,
)

from comstack_core import Core
from comstack_core.schemas import PageFilter

from . import errors
from .principal import current_principal
from .resources import PAGE_TEMPLATE

MAX_VALUES = 100  # the protocol's cap per completion response


async def complete(
    core: Core,
    ref: PromptReference | ResourceTemplateReference,
    argument: CompletionArgument,
    context: CompletionContext | None,
) -> Completion | None:
    if not isinstance(ref, ResourceTemplateReference) or ref.uri != PAGE_TEMPLATE:
        return None  # nothing else takes arguments: no suggestions
    try:
        values = await _values(core, argument, (context.arguments if context else None) or {})
    except Exception as error:
        errors.completion_error(error)  # raises unless it is a refusal, which means no suggestions
        return None
    return Completion(values=values[:MAX_VALUES], total=len(values), has_more=len(values) > MAX_VALUES)


async def _values(core: Core, argument: CompletionArgument, known: dict[str, Any]) -> list[str]:
    principal = current_principal()
    if argument.name == "project_id":
        projects = await core.projects.list_my_projects(principal)
        return [p.id for p in projects if p.id.startswith(argument.value)]
    if argument.name == "slug" and known.get("project_id"):
        listing = await core.pages.list_pages(principal, known["project_id"], PageFilter(
            slug_prefix=argument.value or None, limit=MAX_VALUES + 1))
        return sorted({page.slug for page in listing.pages})
    return []
