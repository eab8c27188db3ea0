"""WCAG 2 contrast of a site theme's colours: readable text is a rule, not a wish.

The site draws all its text in the theme's `text` colour and its links (and the labels of its buttons,
drawn the other way round) in `primary`, both on `background`. Each palette the site uses (light, dark,
or both when the theme follows the reader's system) must give both pairs the AA ratio for normal text,
4.5:1. A theme that does not is refused when it is saved and when the site is published, with the ratio.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ..errors import InvalidInput
from ..site.theme import palettes

AA_TEXT = 4.5
PAIRS = (("text", "background"), ("primary", "background"))

_HEX = re.compile(r"#([0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
_RGB = re.compile(r"rgba?\(\s*(\d{1,3})[\s,]+(\d{1,3})[\s,]+(\d{1,3})\s*(?:[,/][^)]*)?\)")


def rgb(color: str) -> tuple[int, int, int] | None:
    """#rgb, #rgba, #rrggbb, #rrggbbaa or rgb()/rgba() -> (r, g, b); None for what this cannot judge (a
    colour name, hsl()...). Alpha is ignored: the site paints these colours opaque."""
    color = color.strip()
    m = _HEX.fullmatch(color)
    if m:
        digits = m.group(1)
        if len(digits) in (3, 4):
            digits = "".join(c * 2 for c in digits)
        return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)
    m = _RGB.fullmatch(color)
    if m:
        values = tuple(int(v) for v in m.groups())
        if all(v <= 255 for v in values):
            return values[0], values[1], values[2]
    return None


def _luminance(color: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in color)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float | None:
    """The WCAG contrast ratio of two colours (1 to 21), or None when either cannot be read."""
    a, b = rgb(first), rgb(second)
    if a is None or b is None:
        return None
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _shown(ratio: float) -> str:
    # Rounded down, so a ratio just under the bar never reads as reaching it.
    return f"{math.floor(ratio * 100) / 100:.2f}:1"


def contrast_problems(theme: dict[str, Any]) -> list[str]:
    """One line per colour pair below AA in a palette the site uses; [] when the theme passes."""
    problems = []
    for name, colors in palettes(theme).items():
        for fg, bg in PAIRS:
            ratio = contrast_ratio(colors[fg], colors[bg])
            if ratio is not None and ratio < AA_TEXT:
                problems.append(
                    f"{name} {fg} {colors[fg]} on {bg} {colors[bg]} is {_shown(ratio)} (WCAG AA needs {AA_TEXT}:1)"
                )
    return problems


def check_contrast(theme: dict[str, Any]) -> None:
    """Refuse a theme whose text or links would be hard to read (InvalidInput `low_contrast`)."""
    problems = contrast_problems(theme)
    if problems:
        raise InvalidInput(
            "The theme's colours are too close to read: "
            + "; ".join(problems)
            + ". Choose a darker text or primary colour, or a lighter background (or the reverse for a dark "
            "theme); any contrast checker shows the ratio as you pick.",
            code="low_contrast",
            problems=problems,
        )
