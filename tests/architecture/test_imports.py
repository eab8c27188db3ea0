"""The import rules: one direction between the packages (import-linter's contracts in pyproject.toml) and
no cycle between any two modules of the three packages, ``TYPE_CHECKING`` imports and imports inside
functions included."""

from __future__ import annotations

import itertools
import subprocess
import sys
import textwrap
from pathlib import Path

import grimp
import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("comstack_core", "comstack_mcp", "comstack_http")
LAYERS = "The doors import one way: comstack_core <- comstack_mcp <- comstack_http"


def import_graph(*packages: str) -> grimp.ImportGraph:
    """Every import of ``packages``, plus what running them implies: importing ``a.b.c`` from outside
    ``a.b`` first runs ``a/b/__init__.py``, so a package whose ``__init__`` imports the importer (directly
    or not) closes a cycle just as a plain import would."""
    graph = grimp.build_graph(*packages, exclude_type_checking_imports=False, cache_dir=None)
    for importer in graph.modules:
        for imported in graph.find_modules_directly_imported_by(importer):
            parts = imported.split(".")
            for n in range(1, len(parts)):
                package = ".".join(parts[:n])
                outside = importer != package and not importer.startswith(package + ".")
                if outside and package in graph.modules:
                    graph.add_import(importer=importer, imported=package)
    return graph


def find_cycles(graph: grimp.ImportGraph) -> list[tuple[str, ...]]:
    """One shortest cycle ``(a, b, ..., a)`` for each import that lies on one."""
    cycles: list[tuple[str, ...]] = []
    seen: set[frozenset[str]] = set()
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back is None:
                continue
            cycle = (importer, *back)
            if frozenset(cycle) not in seen:
                seen.add(frozenset(cycle))
                cycles.append(cycle)
    return cycles


def describe(graph: grimp.ImportGraph, cycle: tuple[str, ...]) -> str:
    steps = []
    for importer, imported in itertools.pairwise(cycle):
        lines = sorted(d["line_number"] for d in graph.get_import_details(importer=importer, imported=imported))
        how = f"line {lines[0]}" if lines else f"runs {imported}/__init__.py"
        steps.append(f"{importer} -> {imported} ({how})")
    return "\n  ".join(steps)


def test_import_contracts_hold() -> None:
    """import-linter's contracts from pyproject.toml: layers, forbidden imports, independent parts."""
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache", "--no-logo", "pyproject.toml"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{LAYERS} KEPT" in result.stdout


def test_no_module_import_cycle() -> None:
    graph = import_graph(*PACKAGES)
    cycles = find_cycles(graph)
    assert not cycles, "Import cycles:\n" + "\n".join(f"- {describe(graph, cycle)}" for cycle in cycles)


def test_cycles_are_found_through_type_checking_imports_and_package_inits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The finder itself, on a small package with both kinds of cycle this test must not miss."""
    package = tmp_path / "cyclic_sample"
    (package / "sub").mkdir(parents=True)
    files = {
        "__init__.py": "",
        # a <-> b, one side only for type checkers
        "a.py": "from . import b\n",
        "b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import a\n",
        # importing sub.leaf from outside runs sub/__init__.py, which imports the importer back
        "sub/__init__.py": "from .. import user\n",
        "sub/leaf.py": "",
        "user.py": "from .sub import leaf\n",
        "plain.py": "from . import a\n",
    }
    for name, text in files.items():
        (package / name).write_text(textwrap.dedent(text))
    monkeypatch.syspath_prepend(str(tmp_path))

    graph = import_graph("cyclic_sample")
    found = {frozenset(cycle) for cycle in find_cycles(graph)}

    assert found == {
        frozenset({"cyclic_sample.a", "cyclic_sample.b"}),
        frozenset({"cyclic_sample.user", "cyclic_sample.sub"}),
    }
