"""Finding link and image targets in Markdown lines (inline, reference definitions, raw HTML attributes)
and swapping them, outside code. What each target becomes is the planner's decision."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote, urlsplit

from ..site.urls import is_external
from .lines import Line, fence_end, is_fence

# Returns the new target, None to leave it exactly as written, or DROP when the target cannot work on the
# site (a missing file, one outside the tree or not imported): the link then keeps only its text, an
# image only its alt text, so the published site has no broken link. The resolver reports each one.
Resolve = Callable[[str, int], "str | None"]
DROP = ""
_NOWHERE = "#"  # where a dropped target of a reference definition or an HTML attribute points instead

_INLINE = re.compile(
    r"(?P<pre>\]\([ \t]*)(?P<dest><[^<>\n]*>|(?:[^\s()\\]|\\.|\((?:[^\s()\\]|\\.)*\))+)"
    r"""(?P<post>(?:[ \t]+(?:"[^"]*"|'[^']*'|\([^)]*\)))?[ \t]*\))"""
)
_DEFINITION = re.compile(r"^(?P<pre>[ \t]{0,3}\[(?!\^)[^\]]+\]:[ \t]*)(?P<dest><[^<>\n]*>|\S+)(?P<post>.*)$")
_HTML_ATTR = re.compile(r"""(?P<pre>\b(?:src|href)[ \t]*=[ \t]*(?P<q>["']))(?P<dest>[^"'<>]*)(?P<post>(?P=q))""")
_CODE_SPAN = re.compile(r"(`+)(?:.+?)\1")
IMAGE_EXTENSIONS = {
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
    ".webp": "image/webp", ".svg": "image/svg+xml",
}


def split_target(target: str) -> tuple[str, str]:
    """('guide.md#setup') -> ('guide.md', '#setup'); the path is %-decoded, the suffix kept as written."""
    parts = urlsplit(target)
    suffix = (("?" + parts.query) if parts.query else "") + (("#" + parts.fragment) if parts.fragment else "")
    return unquote(parts.path), suffix


def is_local(target: str) -> bool:
    return not is_external(target) and not target.startswith(("image:", "data:"))


def rewrite(lines: list[Line], resolve: Resolve) -> list[Line]:
    out: list[Line] = []
    i = 0
    while i < len(lines):
        no, text = lines[i]
        if is_fence(text):
            end = fence_end(lines, i)
            out.extend(lines[i:end])
            i = end
            continue
        if "](" in text or "]:" in text or "src" in text or "href" in text:
            text = _line(no, text, resolve)
        out.append((no, text))
        i += 1
    return out


def _line(no: int, text: str, resolve: Resolve) -> str:
    definition = _DEFINITION.match(text)
    if definition:
        return _kept(definition, no, resolve)
    if "`" not in text:
        return _prose(no, text, resolve)
    pieces: list[str] = []
    pos = 0
    for m in _CODE_SPAN.finditer(text):
        pieces += [_prose(no, text[pos : m.start()], resolve), m.group(0)]
        pos = m.end()
    pieces.append(_prose(no, text[pos:], resolve))
    return "".join(pieces)


def _prose(no: int, text: str, resolve: Resolve) -> str:
    if "](" in text:
        text = _inline(no, text, resolve)
    if "<" in text and ("src" in text or "href" in text):
        text = _HTML_ATTR.sub(lambda m: _kept(m, no, resolve), text)
    return text


def _inline(no: int, text: str, resolve: Resolve) -> str:
    pieces: list[str] = []
    last = 0
    for m in _INLINE.finditer(text):
        swapped = _swap(m, no, resolve)
        if swapped is not None:
            pieces.append(text[last : m.start()] + swapped)
        else:
            opening = _label_start(text, last, m.start())
            if opening is None:  # the label starts on an earlier line: keep the link, pointing nowhere
                pieces.append(text[last : m.start()] + _nowhere(m))
            else:
                image = opening > last and text[opening - 1] == "!"
                pieces.append(text[last : opening - image] + text[opening + 1 : m.start()])
        last = m.end()
    pieces.append(text[last:])
    return "".join(pieces)


def _label_start(text: str, floor: int, close: int) -> int | None:
    """The '[' opening the label that ends at `close` (its ']'), searching back no further than `floor`."""
    depth = 0
    for i in range(close - 1, floor - 1, -1):
        if text[i] == "]" and (i == 0 or text[i - 1] != "\\"):
            depth += 1
        elif text[i] == "[" and (i == 0 or text[i - 1] != "\\"):
            if depth == 0:
                return i
            depth -= 1
    return None


def _kept(m: re.Match[str], no: int, resolve: Resolve) -> str:
    """A reference definition or an HTML attribute cannot lose its target: a dropped one points nowhere."""
    swapped = _swap(m, no, resolve)
    return _nowhere(m) if swapped is None else swapped


def _nowhere(m: re.Match[str]) -> str:
    return m.group("pre") + _NOWHERE + m.group("post")


def _swap(m: re.Match[str], no: int, resolve: Resolve) -> str | None:
    """The match with its target resolved; None when the resolver dropped the target."""
    dest = m.group("dest")
    angled = dest.startswith("<") and dest.endswith(">")
    target = dest[1:-1] if angled else dest
    if not is_local(target):
        return m.group(0)
    new = resolve(target, no)
    if new == DROP:
        return None
    if new is None or new == target:
        return m.group(0)
    if angled:
        new = f"<{new}>"
    return m.group("pre") + new + m.group("post")
