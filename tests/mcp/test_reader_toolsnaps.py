"""Snapshots and rules of a published site's reader tools (``__toolsnaps__/reader/<tool>.json``), rewritten
like the team tools' with ``UPDATE_TOOLSNAPS=1``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from comstack_core.reader import ReaderService
from comstack_mcp.reader import READER_TOOLS, ReaderTool

from .test_toolsnaps import KEBAB, MAX_DESCRIPTION

SNAPSHOTS = Path(__file__).parent / "__toolsnaps__" / "reader"


def _flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in ("1", "true", "yes")


@pytest.mark.parametrize("tool", READER_TOOLS, ids=lambda tool: tool.name)
def test_reader_tool_snapshot(tool: ReaderTool[Any]) -> None:
    path = SNAPSHOTS / f"{tool.name}.json"
    data = tool.to_mcp().model_dump(by_alias=True, mode="json", exclude_none=True)
    snap = {key: data[key] for key in ("name", "description", "inputSchema", "outputSchema", "annotations")}
    current = json.dumps(snap, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if _flag("UPDATE_TOOLSNAPS") or (not path.exists() and not _flag("CI")):
        SNAPSHOTS.mkdir(parents=True, exist_ok=True)
        path.write_text(current, encoding="utf-8")
        return
    assert path.exists(), f"no snapshot for reader tool {tool.name}; run with UPDATE_TOOLSNAPS=1 and commit it"
    assert path.read_text(encoding="utf-8") == current, (
        f"the schema of reader tool {tool.name} changed; if intended, run with UPDATE_TOOLSNAPS=1")


def test_no_stale_reader_snapshots() -> None:
    names = {tool.name for tool in READER_TOOLS}
    assert not sorted(p.stem for p in SNAPSHOTS.glob("*.json") if p.stem not in names)


@pytest.mark.parametrize("tool", READER_TOOLS, ids=lambda tool: tool.name)
def test_reader_tool_rules(tool: ReaderTool[Any]) -> None:
    assert KEBAB.fullmatch(tool.name)
    mcp = tool.to_mcp("Acme").model_dump(by_alias=True, exclude_none=True)
    hints = mcp["annotations"]
    assert hints["readOnlyHint"] is True and hints["destructiveHint"] is False and hints["idempotentHint"] is True
    assert hints["openWorldHint"] is False
    assert "Acme" in mcp["description"] and "{site}" not in mcp["description"]
    assert len(tool.description) <= MAX_DESCRIPTION
    schema = mcp["inputSchema"]
    assert schema["type"] == "object" and schema.get("additionalProperties") is False
    for name, prop in schema.get("properties", {}).items():
        assert prop.get("description"), f"{tool.name}.{name} needs a description"
    assert mcp["outputSchema"]["type"] == "object"
    assert getattr(ReaderService, tool.uses.__name__) is tool.uses
