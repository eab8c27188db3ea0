"""Checks for uploaded custom pages (HTML or Astro bodies), one module per section:

- ``depth``: the nesting guard run before any parse (parse time grows with the square of the depth);
- ``tree``: parsing HTML with selectolax's Lexbor parser (a WHATWG-conformant HTML5 parser) and walking it;
- ``links``: blocked link schemes (errors);
- ``lint``: advisory findings (warnings only);
- ``markers``: translation markers, extracted from HTML or Astro and filled into translated HTML.

Whether a link or a marker is acceptable is decided on a parsed tree, not by regexes over the markup:
attackers hide schemes with character references (``&#106;avascript:``), embedded tabs
(``java&#x09;script:``) or odd casing, and only a real parser decodes those exactly as a browser does.
Astro is not HTML (``<T />`` components are self-closing, tag case matters), so it goes through the
stdlib tokenizer instead. Regexes do only what needs no decoding: the depth estimate before parsing,
blanking Astro's frontmatter script, and telling a whole HTML document from a fragment.
"""

from __future__ import annotations

from .depth import MAX_NESTING_DEPTH, estimated_nesting_depth
from .links import BLOCKED_SCHEMES, blocked_scheme, check_blocked_links, find_blocked_links
from .lint import HUGE_INLINE_SVG_BYTES, LintFinding, lint_html
from .markers import (
    BODY_FORMATS,
    extract_astro_markers,
    extract_html_markers,
    extract_markers,
    fill_html_markers,
)

__all__ = [
    "BLOCKED_SCHEMES",
    "BODY_FORMATS",
    "HUGE_INLINE_SVG_BYTES",
    "MAX_NESTING_DEPTH",
    "LintFinding",
    "blocked_scheme",
    "check_blocked_links",
    "estimated_nesting_depth",
    "extract_astro_markers",
    "extract_html_markers",
    "extract_markers",
    "fill_html_markers",
    "find_blocked_links",
    "lint_html",
]
