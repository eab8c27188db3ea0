"""Sidebar icons must name a Material Symbols Rounded glyph; the catalogue ships with the package
(names taken from the Apache-2.0 licensed Material Symbols font release)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from ..errors import InvalidInput


@cache
def icon_names() -> frozenset[str]:
    text = files("comstack_core").joinpath("data/material-symbols-rounded.txt").read_text()
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


def validate_icon(name: object) -> str:
    if not isinstance(name, str) or name not in icon_names():
        close = sorted(n for n in icon_names() if isinstance(name, str) and name and name in n)[:5]
        hint = f" Close matches: {', '.join(close)}." if close else ""
        raise InvalidInput(
            f"Unknown icon {name!r}: use a Material Symbols Rounded name such as 'menu_book' or 'help' "
            f"(the full list is the comstack://icons resource).{hint}",
            code="invalid_icon",
        )
    return name
