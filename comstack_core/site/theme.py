"""Theme -> the one shared stylesheet (CSS variables, dark mode, icon font, code colours)."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from importlib import resources
from typing import Any

from pygments.formatters import HtmlFormatter

from .markdown import CODE_CLASS

LIGHT = {"primary": "#0b57d0", "accent": "#8a3ffc", "background": "#ffffff", "text": "#1f2328"}
# Dark palette used for dark_mode=auto/dark unless the theme gives "dark_colors".
DARK = {"primary": "#8ab4f8", "accent": "#c6a0ff", "background": "#111418", "text": "#e6e8eb"}
FONTS = {
    "body": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    "heading": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    "mono": "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
}
ICON_FONT = "material-symbols-rounded.woff2"
ICON_LICENSE = "material-symbols-LICENSE.txt"

# Values are spliced into CSS, so only shapes that cannot break out of a declaration pass.
_COLOR = re.compile(
    r"#[0-9a-fA-F]{3,8}|(rgb|rgba|hsl|hsla|oklch|oklab)\([0-9a-zA-Z.,%/ +-]{1,60}\)|[a-zA-Z]{3,20}"
)
_FONT = re.compile(r"[A-Za-z0-9 ,'\"_-]{1,200}")
_SAFE_URL = re.compile(r"(https?://|/|\./|\.\./)[^\s\"'<>()\\]*|[A-Za-z0-9_][^\s\"'<>():\\]*")


def _colors(given: Any, defaults: dict[str, str]) -> dict[str, str]:
    given = given if isinstance(given, dict) else {}
    out = {}
    for key, default in defaults.items():
        value = given.get(key)
        out[key] = value if isinstance(value, str) and _COLOR.fullmatch(value.strip()) else default
    return out


def _fonts(given: Any) -> dict[str, str]:
    given = given if isinstance(given, dict) else {}
    out = {}
    for key, default in FONTS.items():
        value = given.get(key)
        out[key] = f"{value}, {default}" if isinstance(value, str) and _FONT.fullmatch(value) else default
    return out


def safe_url(value: Any) -> str | None:
    """Theme logo/favicon URL, or None when it is not a plain http(s) or relative URL."""
    return value if isinstance(value, str) and _SAFE_URL.fullmatch(value) else None


def _vars(colors: dict[str, str]) -> str:
    return ";".join(f"--cs-{k}:{v}" for k, v in colors.items())


def _minify(css: str) -> str:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"\s*\n\s*", "", css)
    return re.sub(r"\s*([{};:,>])\s*", r"\1", css).replace(";}", "}")


@lru_cache(maxsize=8)
def _pygments_css(style: str, scope: str) -> str:
    # Only the rules scoped to our code blocks: the unscoped line-number rules Pygments adds would
    # restyle every <pre> on the site and we never emit line numbers.
    lines = str(HtmlFormatter(style=style).get_style_defs(scope)).splitlines()
    return "\n".join(line for line in lines if line.startswith(scope + " "))


@lru_cache(maxsize=1)
def base_css() -> str:
    return _minify((resources.files(__package__) / "assets" / "site.css").read_text("utf-8"))


def dark_mode(theme: dict[str, Any]) -> str:
    """'auto' (follow the system; readers may choose), 'light' or 'dark' (fixed by the theme)."""
    mode = theme.get("dark_mode", "auto")
    return mode if mode in ("auto", "light", "dark") else "auto"


def palettes(theme: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The colour palettes the site uses ('light', 'dark' or both), as it will paint them."""
    mode = dark_mode(theme)
    out = {}
    if mode in ("auto", "light"):
        out["light"] = _colors(theme.get("colors"), LIGHT)
    if mode in ("auto", "dark"):
        out["dark"] = _colors(theme.get("dark_colors"), DARK)
    return out


def build_css(theme: dict[str, Any]) -> str:
    light = _colors(theme.get("colors"), LIGHT)
    dark = _colors(theme.get("dark_colors"), DARK)
    fonts = _fonts(theme.get("fonts"))
    mode = dark_mode(theme)
    root_colors = dark if mode == "dark" else light
    font_vars = ";".join(f"--cs-font-{k}:{v}" for k, v in fonts.items())
    parts = [
        "@font-face{font-family:'Material Symbols Rounded';font-style:normal;font-weight:400;"
        # block: only icons use it, and an icon's name must never show in a fallback font while it
        # loads; the page asks for it only after its own load (site.js), so no text waits for it.
        f"font-display:block;src:url({ICON_FONT}) format('woff2')}}",
        f":root{{{_vars(root_colors)};{font_vars};color-scheme:{'light dark' if mode == 'auto' else mode}}}",
        base_css(),
    ]
    code = f"pre.{CODE_CLASS}"
    if mode == "auto":
        # The system's choice, unless the reader picked one with the toggle (html[data-theme]).
        system, chosen = ":root:not([data-theme=light])", ":root[data-theme=dark]"
        parts.append(_minify(_pygments_css("default", code)))
        parts.append(
            f"@media (prefers-color-scheme:dark){{{system}{{{_vars(dark)}}}"
            f"{_minify(_pygments_css('github-dark', f'{system} {code}'))}}}"
        )
        parts.append(f"{chosen}{{{_vars(dark)};color-scheme:dark}}:root[data-theme=light]{{color-scheme:light}}")
        parts.append(_minify(_pygments_css("github-dark", f"{chosen} {code}")))
    else:
        parts.append(_minify(_pygments_css("github-dark" if mode == "dark" else "default", code)))
    return "".join(parts)


def content_name(stem: str, data: bytes, ext: str) -> str:
    return f"{stem}.{hashlib.sha256(data).hexdigest()[:12]}.{ext}"
