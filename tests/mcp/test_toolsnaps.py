"""Tool schema snapshots and the rules every tool must follow (tools are data, so test the data).

Snapshots live in ``__toolsnaps__/<tool>.json``. ``UPDATE_TOOLSNAPS=1`` rewrites them; a missing one
fails under ``CI`` and is written otherwise; a changed one fails (review the diff, then update).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from comstack_core import Core, Principal
from comstack_core.usecases import Need
from comstack_mcp.catalog import all_tools
from comstack_mcp.spec import READ, ToolSpec, output_model
from comstack_mcp.tools.common import NoArgs

SNAPSHOTS = Path(__file__).parent / "__toolsnaps__"
TOOLS = all_tools()
MAX_DESCRIPTION = 1024
KEBAB = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
# The name echo (SPEC §8's †) goes with destructive tools, with two kinds of exceptions. Tools that prepare
# a publish or replace a page's content take it though they destroy nothing (the token is for that project;
# the earlier content stays a revision). Destructive tools whose change stays off the live site until a
# publish (which takes the echo) do without it.
ECHO_NOT_DESTRUCTIVE = {"publish", "pull-and-publish", "upload-custom-page"}
DESTRUCTIVE_WITHOUT_ECHO = {"discard-draft", "update-navigation"}


def _flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in ("1", "true", "yes")


def snapshot_of(spec: ToolSpec[Any]) -> dict[str, Any]:
    tool = spec.to_mcp().model_dump(by_alias=True, mode="json", exclude_none=True)
    return {key: tool[key] for key in ("name", "description", "inputSchema", "outputSchema", "annotations")}


@pytest.mark.parametrize("spec", TOOLS, ids=lambda spec: spec.name)
def test_tool_snapshot(spec: ToolSpec[Any]) -> None:
    path = SNAPSHOTS / f"{spec.name}.json"
    current = json.dumps(snapshot_of(spec), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if _flag("UPDATE_TOOLSNAPS") or (not path.exists() and not _flag("CI")):
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(current, encoding="utf-8")
        return
    assert path.exists(), f"no snapshot for {spec.name}; run with UPDATE_TOOLSNAPS=1 and commit it"
    assert path.read_text(encoding="utf-8") == current, (
        f"the schema of {spec.name} changed; if intended, run with UPDATE_TOOLSNAPS=1 and commit the diff")


def test_no_stale_snapshots() -> None:
    names = {spec.name for spec in TOOLS}
    stale = sorted(p.stem for p in SNAPSHOTS.glob("*.json") if p.stem not in names)
    assert not stale, f"snapshots of removed tools: {stale}"


def test_names_are_kebab_case_and_unique() -> None:
    names = [spec.name for spec in TOOLS]
    assert len(names) == len(set(names))
    assert all(KEBAB.fullmatch(name) for name in names), names


@pytest.mark.parametrize("spec", TOOLS, ids=lambda spec: spec.name)
def test_tool_rules(spec: ToolSpec[Any]) -> None:
    annotations = spec.to_mcp().model_dump(by_alias=True, exclude_none=True)["annotations"]
    for hint in ("readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"):
        assert isinstance(annotations.get(hint), bool), f"{spec.name}: {hint} must be set explicitly"
    assert not (spec.hints.read_only and spec.hints.destructive)
    assert spec.hints.read_only == (not spec.rule.writes), f"{spec.name}: readOnlyHint must mirror writes"
    assert spec.title and spec.description.strip()
    assert len(spec.description) <= MAX_DESCRIPTION
    schema = spec.input_schema()
    assert schema.get("type") == "object" and schema.get("additionalProperties") is False
    takes_echo = "project_name" in schema["properties"]
    if takes_echo:
        assert "project_name" in schema["required"], f"{spec.name}: the name echo is required"
        assert spec.hints.destructive or spec.name in ECHO_NOT_DESTRUCTIVE, f"{spec.name}: echo but not destructive"
    if spec.hints.destructive and not takes_echo:
        # Global template changes have no project to echo: only platform admins see them.
        assert spec.name in DESTRUCTIVE_WITHOUT_ECHO or spec.rule.need is Need.platform_admin, (
            f"{spec.name}: destructive tools take the name echo")
    # Account-level tools; report-feedback takes an optional project_id (feedback need not concern one).
    if spec.rule.need is Need.platform_admin or spec.name in ("whoami", "list-my-projects", "get-guide",
                                                          "create-project", "report-feedback"):
        return
    assert spec.project_scoped and "project_id" in schema["required"], f"{spec.name}: project tools take project_id"


@pytest.mark.parametrize("spec", TOOLS, ids=lambda spec: spec.name)
def test_every_tool_declares_an_output_model(spec: ToolSpec[Any]) -> None:
    assert issubclass(spec.output, BaseModel)
    schema = spec.to_mcp().output_schema
    assert schema is not None and schema.get("type") == "object", f"{spec.name}: outputSchema must be an object"
    assert schema == spec.output_schema


async def _returns_a_dict(core: Core, principal: Principal, args: NoArgs) -> dict[str, Any]:
    return {}


async def _returns_nothing_declared(core: Core, principal: Principal, args: NoArgs):  # type: ignore[no-untyped-def]
    return None


@pytest.mark.parametrize("handler", [_returns_a_dict, _returns_nothing_declared])
def test_a_tool_without_an_output_model_is_refused(handler: Any) -> None:
    with pytest.raises(TypeError, match="must declare a pydantic model"):
        output_model(handler)
    spec = ToolSpec(name="bad-tool", title="Bad", description="No output model.", input=NoArgs, handler=handler,
                    uses=None, hints=READ)
    with pytest.raises(TypeError):
        spec.to_mcp()


def test_the_spec_tool_set() -> None:
    assert {spec.name for spec in TOOLS} == {
        "whoami", "list-my-projects", "create-project", "get-guide", "report-feedback",
        "get-project-state", "get-page-content", "list-pages", "search-docs", "list-project-doc-templates",
        "create-page", "update-page", "upload-custom-page", "set-page-status", "delete-page",
        "list-page-revisions", "restore-page-revision", "discard-draft",
        "get-navigation", "update-navigation", "update-theme",
        "publish", "publish-confirm", "publish-status", "revert-publish", "list-publish-history",
        "list-translation-tasks", "submit-translation",
        "create-doc-template", "update-doc-template", "delete-doc-template", "create-project-template",
        "update-project-template", "delete-project-template", "assign-project-template",
        "upload-image", "list-images", "delete-image",
        "connect-github", "pull-and-publish",
        "list-voice-sessions", "get-voice-session",
        "ingest-html", "save-ingested-draft", "list-ingested-drafts",
    }
