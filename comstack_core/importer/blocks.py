"""Block syntax of MkDocs (admonitions, content tabs), pymdown `///` blocks and Docusaurus `:::` admonitions.

Each becomes what the site renders: a GitHub-style callout (`> [!NOTE]`, title in bold on its first
line) or, for tabs, the tabs one after another under their labels in bold.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .frontmatter import load_yaml
from .lines import (
    Context,
    Line,
    callout,
    callout_kind,
    columns,
    fence_end,
    indented_body,
    is_fence,
    labelled,
    strip_columns,
)

Convert = Callable[[list[Line], Context], list[Line]]
Result = tuple[list[Line], int] | None

_ADMONITION = re.compile(
    r'^(?P<indent>\s*)(?P<mark>!!!|\?\?\?\+?)[ \t]+(?P<type>[A-Za-z][\w-]*)(?P<classes>(?:[ \t]+[A-Za-z][\w-]*)*)'
    r'(?:[ \t]+"(?P<title>[^"]*)")?[ \t]*$'
)
_TAB = re.compile(r'^(?P<indent>\s*)===[!+]?[ \t]+"(?P<title>[^"]*)"[ \t]*$')
_BLOCK = re.compile(
    r"^(?P<indent>\s*)(?P<slashes>/{3,})[ \t]*(?P<name>[A-Za-z][\w-]*)[ \t]*(?:\|[ \t]*(?P<arg>.*?))?[ \t]*$"
)
_BLOCK_CLOSE = re.compile(r"^\s*(?P<slashes>/{3,})\s*$")
_COLONS = re.compile(
    r"^(?P<indent>\s*)(?P<colons>:{3,})[ \t]*(?P<type>[A-Za-z][\w-]*)"
    r"(?:\[(?P<title1>[^\]]*)\]|[ \t]+(?P<title2>[^{]+?))?[ \t]*(?:\{[^}]*\})?[ \t]*$"
)
_COLONS_CLOSE = re.compile(r"^\s*(?P<colons>:{3,})\s*$")
_DOCUSAURUS_TYPES = {"note", "tip", "info", "caution", "danger", "warning", "important", "success", "secondary"}


def _default_title(type_: str, kind: str) -> str | None:
    # The callout shows its own kind ("Note"); keep the source's word when it says something else.
    return None if type_.upper() == kind else type_.replace("-", " ").capitalize()


def admonition(lines: list[Line], i: int, ctx: Context, convert: Convert) -> Result:
    no, text = lines[i]
    match = _ADMONITION.match(text)
    if match is None:
        return None
    indent = match.group("indent")
    type_ = match.group("type")
    kind = callout_kind(type_)
    title = match.group("title")
    if title is None:
        title = _default_title(type_, kind)
    body, end = indented_body(lines, i + 1, columns(indent) + 4)
    mark = match.group("mark")
    how = "collapsible admonition (shown expanded)" if mark.startswith("?") else "admonition"
    ctx.note(no, "converted", "admonition", f"MkDocs {how} '{text.strip()}' -> callout [!{kind}].")
    return callout(kind, title, convert(body, ctx), no, indent), end


def tabs(lines: list[Line], i: int, ctx: Context, convert: Convert) -> Result:
    no, text = lines[i]
    match = _TAB.match(text)
    if match is None:
        return None
    indent = match.group("indent")
    body, end = indented_body(lines, i + 1, columns(indent) + 4)
    ctx.note(
        no, "converted", "tabs",
        f"Content tab '{match.group('title')}' -> its label in bold and its content (tabs follow one another).",
    )
    return labelled(match.group("title"), convert(body, ctx), no, indent), end


def _closing(lines: list[Line], i: int, opener: re.Pattern[str], closer: re.Pattern[str], group: str) -> int | None:
    """The index of the line closing the block opened at `i`: same marker length, nesting counted."""
    size = len(opener.match(lines[i][1]).group(group))  # type: ignore[union-attr]
    depth = 1
    j = i + 1
    while j < len(lines):
        text = lines[j][1]
        if is_fence(text):
            j = fence_end(lines, j)
            continue
        closed = closer.match(text)
        if closed and len(closed.group(group)) == size:
            depth -= 1
            if depth == 0:
                return j
        else:
            opened = opener.match(text)
            if opened and len(opened.group(group)) == size:
                depth += 1
        j += 1
    return None


def pymdown_block(lines: list[Line], i: int, ctx: Context, convert: Convert) -> Result:
    no, text = lines[i]
    match = _BLOCK.match(text)
    if match is None:
        return None
    close = _closing(lines, i, _BLOCK, _BLOCK_CLOSE, "slashes")
    if close is None:
        ctx.note(no, "unsupported", "block_unclosed", f"Block '{text.strip()}' is never closed; left as written.")
        return None
    indent = match.group("indent")
    width = columns(indent)
    # Options are YAML lines indented under the header, before the content.
    start = i + 1
    while start < close and lines[start][1].strip() and columns(lines[start][1]) >= width + 4:
        start += 1
    options = _options(lines[i + 1 : start])
    body = [(n, strip_columns(t, width)) for n, t in lines[start:close]]
    while body and not body[0][1].strip():
        body.pop(0)
    while body and not body[-1][1].strip():
        body.pop()
    name = match.group("name").lower()
    arg = (match.group("arg") or "").strip()
    out = _block(name, arg, options, convert(body, ctx), no, indent, ctx, text.strip())
    return out, close + 1


def _options(lines: list[Line]) -> dict[str, object]:
    if not lines:
        return {}
    try:
        data = load_yaml("\n".join(strip_columns(t, columns(lines[0][1])) for _, t in lines))
    except Exception:  # options are a nicety; a broken one must not fail the page
        return {}
    return data if isinstance(data, dict) else {}


def _block(
    name: str, arg: str, options: dict[str, object], body: list[Line], no: int, indent: str, ctx: Context,
    written: str,
) -> list[Line]:
    if name == "tab":
        ctx.note(no, "converted", "tabs", f"Tab block '{written}' -> its label in bold and its content.")
        return labelled(arg or "Tab", body, no, indent)
    details = name == "details" or name.startswith("details-")
    if name == "admonition" or details or name in _CALLOUT_NAMES:
        if name in ("admonition", "details"):
            type_ = str(options.get("type") or "note")
        else:
            type_ = name.removeprefix("details-")
        kind = callout_kind(type_)
        title = arg or _default_title(type_, kind)
        how = "collapsible block (shown expanded)" if details else "admonition block"
        ctx.note(no, "converted", "admonition", f"pymdown {how} '{written}' -> callout [!{kind}].")
        return callout(kind, title, body, no, indent)
    if name == "caption":
        ctx.note(no, "converted", "caption", f"Caption block '{written}' -> an emphasised line.")
        text = " ".join(t.strip() for _, t in body if t.strip()) or arg
        return [(no, f"{indent}*{text}*"), (no, "")]
    if name in ("html", "define"):
        what = "HTML wrapper" if name == "html" else "definition list"
        ctx.note(no, "converted", name, f"Block '{written}': {what} removed, its content kept.")
    else:
        ctx.note(no, "unsupported", "block", f"Block '{written}' is not supported: its content is kept unwrapped.")
    return [(no, ""), *[(n, indent + t if t.strip() else "") for n, t in body], (no, "")]


_CALLOUT_NAMES = {
    "note", "info", "abstract", "summary", "tldr", "todo", "seealso", "example", "quote", "cite", "question",
    "help", "faq", "settings", "new", "tip", "hint", "success", "check", "done", "important", "warning",
    "attention", "bug", "failure", "fail", "missing", "danger", "error", "caution",
}


def colon_admonition(lines: list[Line], i: int, ctx: Context, convert: Convert) -> Result:
    no, text = lines[i]
    match = _COLONS.match(text)
    if match is None:
        return None
    type_ = match.group("type").lower()
    docusaurus = ctx.kind == "docusaurus" or ctx.mdx
    if type_ not in _DOCUSAURUS_TYPES and not docusaurus:
        return None
    close = _closing(lines, i, _COLONS, _COLONS_CLOSE, "colons")
    if close is None:
        ctx.note(no, "unsupported", "block_unclosed", f"Admonition '{text.strip()}' is never closed; left as written.")
        return None
    indent = match.group("indent")
    width = columns(indent)
    body = [(n, strip_columns(t, width)) for n, t in lines[i + 1 : close]]
    while body and not body[0][1].strip():
        body.pop(0)
    while body and not body[-1][1].strip():
        body.pop()
    kind = callout_kind(type_, docusaurus=True)
    title = (match.group("title1") or match.group("title2") or "").strip() or _default_title(type_, kind)
    ctx.note(no, "converted", "admonition", f"Admonition '{text.strip()}' -> callout [!{kind}].")
    return callout(kind, title, convert(body, ctx), no, indent), close + 1
