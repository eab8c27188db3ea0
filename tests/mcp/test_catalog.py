"""The per-caller filter over the tool list (no HTTP: the filter is plain data + the core)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from comstack_core import Principal, Role
from comstack_core.auth import SCOPE_READ
from comstack_core.schemas import ProjectCreate
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
            assert not any(spec.writes for spec in shown if spec.name not in OUTSIDE_PROJECTS)
            assert {spec.name for spec in shown} >= OUTSIDE_PROJECTS
        if role < Role.manager:
            assert not any(spec.min_role == "manager" for spec in shown)
        assert not any(spec.min_role == "platform_admin" for spec in shown)


def test_read_only_principal_sees_only_read_only_tools() -> None:
    admin = replace(Principal.system(), scopes=frozenset({SCOPE_READ}))
    shown = [spec for spec in TOOLS if visible(spec, admin, Role.manager)]
    assert shown and all(spec.hints.read_only and not spec.writes for spec in shown)


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


def _undescribed(schema: dict[str, Any], defs: dict[str, Any], where: str, seen: set[str]) -> list[str]:
    """Every property under ``schema`` (nested objects, list items and $defs included) without a description."""
    out: list[str] = []
    ref = schema.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        if name not in seen:
            seen.add(name)
            out += _undescribed(defs[name], defs, f"{where}<{name}>", seen)
    for key, prop in schema.get("properties", {}).items():
        if not str(prop.get("description", "")).strip():
            out.append(f"{where}.{key}")
        out += _undescribed(prop, defs, f"{where}.{key}", seen)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            out += _undescribed(schema[key], defs, f"{where}[]", seen)
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            out += _undescribed(option, defs, where, seen)
    return out


def test_every_tool_argument_says_what_it_means() -> None:
    """A model fills arguments from their descriptions: each one, at every depth, must have one."""
    missing: list[str] = []
    for spec in TOOLS:
        schema = spec.input_schema()
        missing += _undescribed(schema, schema.get("$defs", {}), spec.name, set())
    assert missing == []


# destructiveHint: the call can delete something, or replace it with no earlier version to go back to.
# Edits that keep the previous content as a page revision are not destructive, nor is the dry-run publish
# (it only issues a token), nor pull-and-publish (drafts and a token).
DESTRUCTIVE = {
    "discard-draft",
    "update-navigation",
    "update-doc-template",
    "update-project-template",
    "assign-project-template",
    "delete-page",
    "update-theme",
    "publish-confirm",
    "revert-publish",
}
NOT_DESTRUCTIVE = {
    "publish",
    "pull-and-publish",
    "upload-custom-page",
    "update-page",
    "restore-page-revision",
}


def test_annotations_match_what_each_tool_does() -> None:
    hints = {spec.name: spec.hints for spec in TOOLS}
    assert {name for name in DESTRUCTIVE if not hints[name].destructive} == set()
    assert {name for name in NOT_DESTRUCTIVE if hints[name].destructive} == set()
    for spec in TOOLS:
        assert spec.hints.read_only is not spec.writes, spec.name
        assert not (spec.hints.read_only and spec.hints.destructive), spec.name
