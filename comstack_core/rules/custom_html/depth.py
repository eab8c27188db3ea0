"""The nesting guard: a linear estimate of how deep a body nests, run before the parser sees it."""

from __future__ import annotations

import functools
import re

from ...errors import InvalidInput

# The HTML tree builder checks "element in scope" by walking the stack of open elements, so parse
# time grows with the square of the nesting depth: 100,000 nested <div>s (500 KB, well under the
# upload cap) take Lexbor about 16 seconds. Browsers cap depth too (Chromium at 512), so nothing
# deeper than this renders as written anyway.
MAX_NESTING_DEPTH = 1000

_TAG_RE = re.compile(r"<!--.*?(?:-->|\Z)|<(/?)([A-Za-z][^\s/>]*)[^>]*>?", re.DOTALL)

VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param"}
    | {"source", "track", "wbr"}
)

# End tags are optional here and a new sibling closes the open one, so they rarely nest; leaving
# them out keeps long lists of unclosed <li> or <p> from counting as depth.
_OPTIONAL_END_TAGS = frozenset(
    {"html", "head", "body", "p", "li", "dt", "dd", "option", "optgroup", "rb", "rt", "rp", "rtc"}
    | {"tr", "td", "th", "thead", "tbody", "tfoot", "colgroup", "caption"}
)

# Their content is text up to the matching end tag, so "<div>" inside a script is not an element.
_RAW_TEXT_TAGS = frozenset({"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"})


@functools.cache
def _end_tag_re(name: str) -> re.Pattern[str]:
    return re.compile(rf"</{name}[\s/>]", re.IGNORECASE)


def estimated_nesting_depth(html: str, limit: int = MAX_NESTING_DEPTH) -> int:
    """A linear-time estimate of how deep the parsed tree nests, stopping once past ``limit``.

    Only a resource guard run before the real parser: it follows tags, comments and raw-text
    elements closely enough that a deep page cannot slip under it by much, and it never decides
    anything about links or markers.
    """
    stack: list[tuple[str, bool]] = []  # (tag, inside svg/math), where "/>" really self-closes
    open_counts: dict[str, int] = {}
    deepest = 0
    position = 0
    while True:
        match = _TAG_RE.search(html, position)
        if match is None:
            return deepest
        position = match.end()
        if match.group(2) is None:
            continue  # a comment
        name = match.group(2).lower()
        if match.group(1):
            # Pop back to the matching element, as the tree builder does; a stray end tag changes
            # nothing. open_counts keeps this amortized O(1) instead of searching the stack.
            if open_counts.get(name):
                while stack:
                    popped, _ = stack.pop()
                    open_counts[popped] -= 1
                    if popped == name:
                        break
            continue
        foreign = bool(stack) and stack[-1][1]
        if name == "plaintext" and not foreign:
            return deepest  # everything after <plaintext> is text
        if name in VOID_TAGS or name in _OPTIONAL_END_TAGS:
            continue
        if foreign and match.group(0).endswith("/>"):
            continue
        if name in _RAW_TEXT_TAGS and not foreign:
            end = _end_tag_re(name).search(html, position)
            position = end.start() if end else len(html)
            continue
        stack.append((name, foreign or name in ("svg", "math")))
        open_counts[name] = open_counts.get(name, 0) + 1
        deepest = max(deepest, len(stack))
        if deepest > limit:
            return deepest


# Every public check parses the same body in turn; remembering the last few verdicts keeps the
# estimate to one pass per upload.
@functools.lru_cache(maxsize=4)
def check_nesting(html: str) -> None:
    depth = estimated_nesting_depth(html)
    if depth > MAX_NESTING_DEPTH:
        raise InvalidInput(
            f"The page nests elements more than {MAX_NESTING_DEPTH} levels deep; browsers do not render "
            "markup that deep as written and it is too slow to check. Flatten the markup (close "
            "elements you no longer need open).",
            code="html_too_deep",
            max_depth=MAX_NESTING_DEPTH,
        )
