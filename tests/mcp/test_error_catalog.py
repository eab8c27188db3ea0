"""Every error code the core can raise is documented in comstack://errors, and nothing else is."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import comstack_core
from comstack_core import errors as core_errors
from comstack_mcp.error_catalog import CATALOG
from comstack_mcp.errors import domain_text

CODE = re.compile(r"""\bcode\s*=\s*["']([a-z_]+)["']""")


def core_codes() -> set[str]:
    root = Path(comstack_core.__file__).parent
    found = {m for path in root.rglob("*.py") for m in CODE.findall(path.read_text(encoding="utf-8"))}
    classes = {cls.code for _, cls in inspect.getmembers(core_errors, inspect.isclass)
               if issubclass(cls, core_errors.DomainError)}
    return found | classes


def test_every_core_code_is_in_the_catalogue() -> None:
    missing = sorted(core_codes() - set(CATALOG))
    assert not missing, f"add these codes to comstack_mcp/error_catalog.py: {missing}"


def test_the_catalogue_has_no_invented_codes() -> None:
    assert not sorted(set(CATALOG) - core_codes())


def test_domain_text_has_message_code_details_and_next_step() -> None:
    error = core_errors.StaleVersion("Page 'a' changed since version 1; it is now version 2.", current_version=2)
    assert domain_text(error).splitlines() == [
        "Page 'a' changed since version 1; it is now version 2.",
        "code: stale_version",
        'details: {"current_version": 2}',
        "next step: " + CATALOG["stale_version"].next_step,
    ]
