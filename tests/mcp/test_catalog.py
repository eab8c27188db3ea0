"""The per-caller filter over the tool list (no HTTP: the filter is plain data + the core)."""

from __future__ import annotations

from dataclasses import replace

from comstack_core import Principal, Role
from comstack_core.auth import SCOPE_READ
from comstack_core.schemas import ProjectCreate
from comstack_core.usecases import Need
from comstack_mcp.catalog import all_tools, best_role, visible, visible_tools

from ..conftest import World, make_user

TOOLS = all_tools()
# Writes that change no project: a report to the installation's operators, which viewers may send too.
OUTSIDE_PROJECTS = {"report-feedback"}


def key(role: Role, *, read_only: bool = False) -> Principal:
    scopes = frozenset({SCOPE_READ}) if read_only else frozenset({"comstack"})
    return Principal(kind="key", key_id="key_x", key_project_id="prj_x", key_role=role, scopes=scopes)


def names_for(principal: Principal, role: Role) -> set[str]:
    return {spec.name for spec in TOOLS if visible(spec, principal, role)}


def test_viewer_never_sees_writes_and_non_manager_never_sees_manager_tools() -> None:
    for role in Role:
        shown = [spec for spec in TOOLS if visible(spec, key(role), role)]
        if role == Role.viewer:
            assert not any(spec.rule.writes for spec in shown if spec.name not in OUTSIDE_PROJECTS)
            assert {spec.name for spec in shown} >= OUTSIDE_PROJECTS
        if role < Role.manager:
            assert not any(spec.rule.need is Need.manager for spec in shown)
        assert not any(spec.rule.need is Need.platform_admin for spec in shown)


def test_read_only_principal_sees_only_read_only_tools() -> None:
    admin = replace(Principal.system(), scopes=frozenset({SCOPE_READ}))
    shown = [spec for spec in TOOLS if visible(spec, admin, Role.manager)]
    assert shown and all(spec.hints.read_only and not spec.rule.writes for spec in shown)


def test_platform_admin_sees_everything() -> None:
    assert names_for(Principal.system(), Role.manager) == {spec.name for spec in TOOLS}


async def test_best_role_of_users(world: World) -> None:
    core = world.core
    assert await best_role(core, world.viewer) == Role.viewer
    assert await best_role(core, world.editor) == Role.editor
    newcomer = await make_user(core, "new@example.com")
    assert await best_role(core, newcomer) == Role.viewer  # no project yet: reads and create-project
    # A viewer of one project who manages another sees manager tools; the core checks per project.
    await core.projects.create_project(world.viewer, ProjectCreate(name="Viewer's own"))
    assert await best_role(core, world.viewer) == Role.manager
    names = {spec.name for spec in await visible_tools(core, newcomer, TOOLS)}
    assert "create-project" in names and "create-page" not in names
