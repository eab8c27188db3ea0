"""The tool list, and the one per-caller filter over it (SPEC §8)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from comstack_core import Core, Principal, Role
from comstack_core.usecases import Need

from .spec import ToolSpec


def all_tools() -> list[ToolSpec[Any]]:
    from .tools import (
        editing,
        git_sync,
        identity,
        images,
        ingest,
        navigation,
        publishing,
        state,
        templates,
        voice,
    )

    return [
        *identity.TOOLS, *state.TOOLS, *editing.TOOLS, *navigation.TOOLS, *publishing.TOOLS, *templates.TOOLS,
        *git_sync.TOOLS, *voice.TOOLS, *images.TOOLS, *ingest.TOOLS,
    ]


async def best_role(core: Core, principal: Principal) -> Role:
    """The role ``tools/list`` filters by: it cannot know which project the caller will use next.

    An API key has exactly one role; a user gets their highest role across their projects (viewer when
    they have none yet, so they still see the read and account tools); platform admins pass every check.
    The core still checks the real role on every call.
    """
    if principal.is_platform_admin:
        return Role.manager
    if principal.kind == "key":
        return principal.key_role or Role.viewer
    roles = [Role[p.role] for p in await core.projects.list_my_projects(principal) if p.role]
    return max(roles, default=Role.viewer)


def visible(spec: ToolSpec[Any], principal: Principal, role: Role) -> bool:
    """Shown when the core would let this caller run the tool's use case on some project of theirs."""
    rule = spec.rule
    if principal.read_only and rule.writes:
        return False
    if rule.need is Need.platform_admin:
        return principal.is_platform_admin
    if rule.need is Need.person and principal.kind == "key":
        return False
    need = rule.need.project_role
    return need is None or principal.is_platform_admin or role >= need


async def visible_tools(
    core: Core, principal: Principal, specs: Iterable[ToolSpec[Any]]
) -> list[ToolSpec[Any]]:
    role = await best_role(core, principal)
    return [spec for spec in specs if visible(spec, principal, role)]
