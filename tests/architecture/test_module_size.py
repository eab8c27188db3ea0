"""Modules stay small: no module of the three packages is over 400 lines (migrations aside)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("comstack_core", "comstack_mcp", "comstack_http")
MAX_LINES = 400


def module_lengths() -> dict[str, int]:
    lengths = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            relative = path.relative_to(REPO)
            if "migrations" not in relative.parts:
                lengths[relative.as_posix()] = len(path.read_text(encoding="utf-8").splitlines())
    return lengths


def test_no_module_is_over_the_limit() -> None:
    lengths = module_lengths()
    assert len(lengths) > 100  # the walk found the packages
    too_long = {path: lines for path, lines in lengths.items() if lines > MAX_LINES}
    assert not too_long, f"Split these by concept, {MAX_LINES} lines at most each: {too_long}"
