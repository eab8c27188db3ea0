"""One pass over a page's lines: block syntax converted, inline syntax converted or reported.

Fenced code is never touched. Conversions are the well-defined ones (callouts, tabs, keys, marks,
shortcodes and MDX with a Markdown equivalent); what has no equivalent is left as written and
reported with its line.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from . import blocks, hugo, mdx
from .lines import Context, Line, fence_end, is_fence

Handler = Callable[[list[Line], int, Context, Callable[[list[Line], Context], list[Line]]], "tuple[list[Line], int] | None"]

_HANDLERS: dict[str, list[Handler]] = {
    "!": [blocks.admonition],
    "?": [blocks.admonition],
    "=": [blocks.tabs],
    "/": [blocks.pymdown_block],
    ":": [blocks.colon_admonition],
    "{": [hugo.block_shortcode],
}
_MDX_HANDLERS: dict[str, list[Handler]] = {
    "{": [mdx.comment],
    "<": [mdx.component],
    "i": [mdx.statement],
    "e": [mdx.statement],
}

_CODE_SPAN = re.compile(r"(`+)(?:.+?)\1")
_ATTR_LIST = re.compile(
    r"[ \t]*\{:?[ \t]*(?:[.#][\w-]+|[\w-]+=(?:\"[^\"]*\"|'[^']*'|[^\s}]+))"
    r"(?:[ \t]+(?:[.#][\w-]+|[\w-]+=(?:\"[^\"]*\"|'[^']*'|[^\s}]+)))*[ \t]*\}"
)
_ABBREVIATION = re.compile(r"^\s*\*\[[^\]]+\]:")
_FOOTNOTE_DEF = re.compile(r"^\s{0,3}\[\^[^\]]+\]:")
_KEYS = re.compile(r"\+\+([A-Za-z0-9][\w-]*(?:\+[A-Za-z0-9][\w-]*)*)\+\+")
_MARK = re.compile(r"(?<![=\w])==(?=[^\s=])(.+?)(?<=[^\s=])==(?![=\w])")
_INSERT = re.compile(r"(?<!\^)\^\^(?=\S)(.+?)(?<=\S)\^\^(?!\^)")
_CRITIC = re.compile(r"\{(\+\+|--|~~|>>|==).+?(\+\+|--|~~|<<|==)\}")
_HILITE = re.compile(r"^(`+)\s?(?:#!|:::)[\w+#.-]+ (.*?)\s?\1$")  # pymdown InlineHilite: `#!py3 code`
_ICON = re.compile(r":(?:material|octicons|fontawesome|simple|twemoji)-[a-z0-9-]+:")


def convert_document(lines: list[Line], ctx: Context) -> list[Line]:
    return convert_blocks(lines, ctx)


def convert_blocks(lines: list[Line], ctx: Context) -> list[Line]:
    out: list[Line] = []
    i = 0
    while i < len(lines):
        no, text = lines[i]
        if is_fence(text):
            end = fence_end(lines, i)
            out.extend(lines[i:end])
            i = end
            continue
        first = text.lstrip()[:1]
        result = None
        for handler in _HANDLERS.get(first, ()):
            result = handler(lines, i, ctx, convert_blocks)
            if result is not None:
                break
        if result is None and ctx.mdx:
            if "{/*" in text:
                result = mdx.comment(lines, i, ctx, convert_blocks)
            elif first in _MDX_HANDLERS and (first not in "ie" or text[:1] == first):
                for handler in _MDX_HANDLERS[first]:
                    result = handler(lines, i, ctx, convert_blocks)
                    if result is not None:
                        break
        if result is not None:
            new, i = result
            out.extend(new)
            continue
        converted = inline(no, text, ctx)
        if converted is not None:
            out.append((no, converted))
        i += 1
    return out


def inline(no: int, text: str, ctx: Context) -> str | None:
    """A line of prose after inline conversions; None when the whole line goes (with a note)."""
    stripped = text.strip()
    if not stripped:
        return text
    if stripped == "[TOC]":
        ctx.note(no, "converted", "toc", "[TOC] marker removed (the site shows the page's outline itself).")
        return None
    if _ABBREVIATION.match(text):
        ctx.note(no, "converted", "abbreviation", f"Abbreviation definition removed: '{stripped[:60]}'.")
        return None
    if _FOOTNOTE_DEF.match(text):
        ctx.note(no, "unsupported", "footnote", "Footnotes are not rendered by the site; this definition will not show.")
    if stripped.startswith("$$"):
        ctx.note(no, "unsupported", "math", "Math blocks are shown as their LaTeX source.")
    if "`" not in text:
        return _prose(no, text, ctx) if any(c in text for c in "{+=^:<") else text
    # Re-split keeping the spans themselves, and convert only what lies outside them.
    pieces: list[str] = []
    pos = 0
    for m in _CODE_SPAN.finditer(text):
        pieces.append(_prose(no, text[pos : m.start()], ctx))
        pieces.append(_code_span(no, m.group(0), ctx))
        pos = m.end()
    pieces.append(_prose(no, text[pos:], ctx))
    return "".join(pieces)


def _prose(no: int, text: str, ctx: Context) -> str:
    if not text:
        return text
    if "{{" in text:
        text = hugo.inline_shortcodes(no, text, ctx)
    if ctx.mdx and "<" in text:
        mdx.report_components(no, text, ctx)
    if "{" in text and not ctx.mdx:
        if _CRITIC.search(text):
            ctx.note(no, "unsupported", "critic", "CriticMarkup has no equivalent; left as written.")
        elif "{{" not in text:
            text = _drop_attr_lists(no, text, ctx)
    if "++" in text:
        text = _KEYS.sub(lambda m: _keys(no, m, ctx), text)
    if "==" in text:
        text = _sub(_MARK, text, "<mark>{}</mark>", no, ctx, "mark", "==text== -> <mark>")
    if "^^" in text:
        text = _sub(_INSERT, text, "<ins>{}</ins>", no, ctx, "insert", "^^text^^ -> <ins>")
    if ":" in text:
        for m in _ICON.finditer(text):
            ctx.note(no, "unsupported", "icon", f"Icon shortcode {m.group(0)} has no equivalent; left as written.")
    return text


def _code_span(no: int, span: str, ctx: Context) -> str:
    hilite = _HILITE.match(span)
    if hilite is None:
        return span
    ctx.note(no, "converted", "inline_hilite", "Inline code language marker (#!lang) removed.")
    fence = hilite.group(1)
    code = hilite.group(2)
    pad = " " if code.startswith("`") or code.endswith("`") else ""
    return f"{fence}{pad}{code}{pad}{fence}"


def _drop_attr_lists(no: int, text: str, ctx: Context) -> str:
    def drop(m: re.Match[str]) -> str:
        ctx.note(no, "converted", "attr_list", f"Attribute list {m.group(0).strip()} removed.")
        return ""

    return _ATTR_LIST.sub(drop, text)


def _keys(no: int, m: re.Match[str], ctx: Context) -> str:
    ctx.note(no, "converted", "keys", f"Keys {m.group(0)} -> <kbd> tags.")
    return "+".join(f"<kbd>{k.replace('-', ' ').title()}</kbd>" for k in m.group(1).split("+"))


def _sub(pattern: re.Pattern[str], text: str, template: str, no: int, ctx: Context, code: str, what: str) -> str:
    def replace(m: re.Match[str]) -> str:
        ctx.note(no, "converted", code, what + ".")
        return template.format(m.group(1))

    return pattern.sub(replace, text)
