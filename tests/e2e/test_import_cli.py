"""`comstack import` as a person runs it: the plan writes nothing, failures are listed with exit 1, a second
import finds nothing to do, --approve approves drafts an earlier import left."""

from __future__ import annotations

import json
from pathlib import Path

from ..core.importer.trees import write
from .test_cli import comstack

TREE = {
    "mkdocs.yml": "site_name: Widget\nnav:\n  - Home: index.md\n  - Guides:\n    - guides/a.md\n    - guides/b.md\n",
    "docs/index.md": "# Home\n\nSee [a](guides/a.md).\n",
    "docs/guides/a.md": "# Install the widget\n\n!!! tip\n    Use the latest version.\n",
    "docs/guides/b.md": "---\ntitle: [broken\n---\nBody.\n",
}


def _project(data: Path) -> str:
    assert comstack("admin", "create-user", "--email", "a@example.com", data_dir=data).returncode == 0
    made = comstack(
        "admin", "create-project", "--name", "Acme Docs", "--owner", "a@example.com", data_dir=data
    )
    return made.stdout.strip()


def _report(run: object) -> dict:  # type: ignore[type-arg]
    return json.loads(run.stdout)  # type: ignore[attr-defined]


def test_import_plan_apply_and_again(tmp_path: Path) -> None:
    data, site = tmp_path / "data", write(tmp_path / "site", TREE)
    project = _project(data)
    plan = comstack("import", str(site), "--project", project, "--plan", "--json", data_dir=data)
    assert plan.returncode == 1  # a file fails, even in the plan
    assert "docs/guides/b.md: Invalid YAML front matter" in plan.stderr
    assert not _report(plan)["applied"] and _report(plan)["written"] == []
    first = comstack("import", str(site), "--project", project, "--yes", "--json", data_dir=data)
    assert first.returncode == 1 and "1 file(s) failed" in first.stderr
    assert sorted(p["slug"] for p in _report(first)["pages"] if p["action"] == "create") == [
        "guides/a",
        "index",
    ]
    (site / "docs/guides/b.md").write_text("# Use the widget\n")
    second = comstack(
        "import", str(site), "--project", project, "--yes", "--approve", "--json", data_dir=data
    )
    assert second.returncode == 0, second.stderr
    actions = {p["slug"]: p["action"] for p in _report(second)["pages"]}
    assert actions == {"guides/b": "create", "guides/a": "approve", "index": "approve"}
    third = comstack("import", str(site), "--project", project, "--yes", "--approve", data_dir=data)
    assert third.returncode == 0 and "Nothing to import" in third.stderr and third.stdout == ""


def test_import_refusals_exit_2(tmp_path: Path) -> None:
    data = tmp_path / "data"
    project = _project(data)
    missing = comstack("import", str(tmp_path / "nope"), "--project", project, data_dir=data)
    assert missing.returncode == 2 and "error:" in missing.stderr
    other = comstack("import", str(tmp_path), "--project", "prj_missing", data_dir=data)
    assert other.returncode == 2 and "No project 'prj_missing'" in other.stderr
