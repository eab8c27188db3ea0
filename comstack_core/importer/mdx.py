"""MDX (Docusaurus): `import`/`export` statements, `{/* comments */}` and the JSX components with a
Markdown equivalent (`<Tabs>`/`<TabItem>`, `<Admonition>`). Other components are reported."""

from __future__ import annotations

import re
from collections.abc import Callable

from .lines import Context, Line, callout, callout_kind, columns, labelled, strip_columns

Convert = Callable[[list[Line], Context], list[Line]]
Result = tuple[list[Line], int] | None

_IMPORT = re.compile(r"^import\s")
_IMPORT_END = re.compile(r"""(?:\bfrom\s*|^import\s*)(['"])[^'"]+\1\s*;?\s*$""")
_EXPORT = re.compile(r"^export\s")
_ATTR = re.compile(r"""(?P<key>[\w-]+)(?:\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|\{['"`](?P<js>[^'"`]*)['"`]\}))?""")
_OPEN = re.compile(r"^(?P<indent>\s*)<(?P<tag>Tabs|TabItem|Admonition)(?P<attrs>(?:\s[^>]*)?)>\s*$")
_COMMENT_START = "{/*"
_JSX_TAG = re.compile(r"</?(?P<tag>[A-Z][\w.]*)(?:\s[^<>]*)?/?>")


def _attrs(raw: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in _ATTR.finditer(raw):
        out[m.group("key")] = m.group("dq") or m.group("sq") or m.group("js") or ""
    return out


def statement(lines: list[Line], i: int, ctx: Context, convert: Convert) -> Result:
    """A top-level import or export: MDX code, not content. Removed, and said so."""
    no, text = lines[i]
    if _IMPORT.match(text):
        end = i
        while end < len(lines) and not _IMPORT_END.search(lines[end][1]):
            if end > i and not lines[end][1].strip():
                break
            end += 1
        end = min(end, len(lines) - 1)
        ctx.note(no, "converted", "mdx_import", f"MDX import removed: '{text.strip()[:80]}'.")
        return [], end + 1
    if _EXPORT.match(text):
        end = i
        depth = 0
        while end < len(lines):
            line = lines[end][1]
            depth += line.count("{") + line.count("(") + line.count("[")
            depth -= line.count("}") + line.count(")") + line.count("]")
            if depth <= 0 and (line.rstrip().endswith((";", "}", ")")) or end + 1 == len(lines)
                               or not lines[end + 1][1].strip()):
                break
            end += 1
        ctx.note(
            no, "unsupported", "mdx_export",
            f"MDX export removed (code has no place in a page): '{text.strip()[:80]}'.",
        )
        return [], end + 1
    return None


def comment(lines: list[Line], i: int, ctx: Context, convert: Convert) -> Result:
    no, text = lines[i]
    start = text.find(_COMMENT_START)
    if start < 0:
        return None
    for j in range(i, len(lines)):
        scan_from = start + 3 if j == i else 0
        end = lines[j][1].find("*/}", scan_from)
        if end >= 0:
            before = text[:start]
            after = lines[j][1][end + 3 :]
            ctx.note(no, "converted", "mdx_comment", "MDX comment removed.")
            rest = (before + after) if before.strip() or after.strip() else None
            return ([(no, rest)] if rest is not None else []), j + 1
    return None


def component(lines: list[Line], i: int, ctx: Context, convert: Convert) -> Result:
    no, text = lines[i]
    match = _OPEN.match(text)
    if match is None:
        return None
    tag = match.group("tag")
    close = _close(lines, i, tag)
    if close is None:
        ctx.note(no, "unsupported", "jsx", f"<{tag}> is never closed; left as written.")
        return None
    indent = match.group("indent")
    inner = lines[i + 1 : close]
    width = min((columns(t) for _, t in inner if t.strip()), default=0)
    body = [(n, strip_columns(t, width)) for n, t in inner]
    attrs = _attrs(match.group("attrs"))
    if tag == "Tabs":
        ctx.note(no, "converted", "tabs", "<Tabs> wrapper removed; its tabs follow one another.")
        return [(no, ""), *convert(body, ctx), (no, "")], close + 1
    if tag == "TabItem":
        label = attrs.get("label") or attrs.get("value") or "Tab"
        ctx.note(no, "converted", "tabs", f"<TabItem> '{label}' -> its label in bold and its content.")
        return labelled(label, convert(body, ctx), no, indent), close + 1
    type_ = attrs.get("type") or "note"
    kind = callout_kind(type_, docusaurus=True)
    ctx.note(no, "converted", "admonition", f"<Admonition type=\"{type_}\"> -> callout [!{kind}].")
    return callout(kind, attrs.get("title"), convert(body, ctx), no, indent), close + 1


def _close(lines: list[Line], i: int, tag: str) -> int | None:
    depth = 1
    opener = re.compile(rf"^\s*<{tag}(\s[^>]*)?>\s*$")
    closer = re.compile(rf"^\s*</{tag}>\s*$")
    for j in range(i + 1, len(lines)):
        text = lines[j][1]
        if opener.match(text):
            depth += 1
        elif closer.match(text):
            depth -= 1
            if depth == 0:
                return j
    return None


def report_components(no: int, text: str, ctx: Context) -> None:
    """JSX components left in a line: the site's sanitizer drops unknown tags and keeps their text."""
    for m in _JSX_TAG.finditer(text):
        if not m.group(0).startswith("</"):
            ctx.note(
                no, "unsupported", "jsx",
                f"JSX component <{m.group('tag')}> has no Markdown equivalent; only its text will show.",
            )
