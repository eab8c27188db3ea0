"""Hugo shortcodes: the ones with a Markdown equivalent are converted, the rest reported and left as written.

Block shortcodes (a callout, `details`, `tabs`/`tab`, `highlight`, `figure`) are handled when they
stand on their own lines; `ref`/`relref` become the path they name (resolved later like any link);
`youtube`, `vimeo` and `gist` become links.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable

from .lines import Context, Line, callout, callout_kind, labelled

Convert = Callable[[list[Line], Context], list[Line]]

_SHORTCODE = re.compile(r"\{\{(?P<d>[<%])\s*(?P<close>/?)\s*(?P<name>[\w./-]+)(?P<args>.*?)\s*[>%]\}\}")
_ALONE = re.compile(r"^(?P<indent>\s*)\{\{(?P<d>[<%])\s*(?P<name>[\w./-]+)(?P<args>.*?)\s*[>%]\}\}\s*$")
_ESCAPED = re.compile(r"\{\{([<%])/\*\s*(.*?)\s*\*/([>%])\}\}")
_CALLOUT_SHORTCODES = {
    "note", "tip", "warning", "info", "caution", "important", "danger", "alert", "hint", "callout", "notice",
    "admonition", "callout-note", "callout-tip", "callout-warning",
}
_NAMED_KINDS = {"note", "tip", "warning", "info", "caution", "important", "danger"}
_PAIRED = _CALLOUT_SHORTCODES | {"details", "tabs", "tab", "highlight", "expand"}


def parse_args(raw: str) -> tuple[list[str], dict[str, str]]:
    try:
        words = shlex.split(raw)
    except ValueError:
        words = raw.split()
    positional: list[str] = []
    named: dict[str, str] = {}
    for word in words:
        key, sep, value = word.partition("=")
        if sep and re.fullmatch(r"[\w-]+", key):
            named[key] = value
        else:
            positional.append(word)
    return positional, named


def _close_index(lines: list[Line], i: int, name: str) -> int | None:
    depth = 1
    for j in range(i + 1, len(lines)):
        for m in _SHORTCODE.finditer(lines[j][1]):
            if m.group("name") != name:
                continue
            depth += -1 if m.group("close") else 1
            if depth == 0:
                return j if _ALONE.match(lines[j][1].replace("/", "", 1)) else None
    return None


def block_shortcode(lines: list[Line], i: int, ctx: Context, convert: Convert) -> tuple[list[Line], int] | None:
    no, text = lines[i]
    match = _ALONE.match(text)
    if match is None:
        return None
    name = match.group("name")
    positional, named = parse_args(match.group("args"))
    indent = match.group("indent")
    if name == "figure":
        return _figure(positional, named, no, indent, ctx, text.strip()), i + 1
    if name not in _PAIRED:
        return None
    close = _close_index(lines, i, name)
    if close is None:
        return None
    body = list(lines[i + 1 : close])
    written = text.strip()
    if name == "highlight":
        lang = positional[0] if positional else ""
        ctx.note(no, "converted", "shortcode", f"Hugo '{written}' -> a fenced code block.")
        return [(no, f"{indent}```{lang}"), *body, (lines[close][0], f"{indent}```")], close + 1
    if name == "tab":
        label = named.get("name") or named.get("header") or named.get("title") or (positional[0] if positional else "Tab")
        ctx.note(no, "converted", "tabs", f"Hugo '{written}' -> its label in bold and its content.")
        return labelled(label, convert(body, ctx), no, indent), close + 1
    if name == "tabs":
        ctx.note(no, "converted", "tabs", f"Hugo '{written}' wrapper removed; its tabs follow one another.")
        return [(no, ""), *convert(body, ctx), (no, "")], close + 1
    if name.startswith("callout-"):
        type_ = name.removeprefix("callout-")
    elif name in _NAMED_KINDS:
        type_ = name
    else:  # hint/alert/notice/callout/details take the kind as an argument
        first = positional[0] if positional and name not in ("details", "expand") else "note"
        type_ = named.get("type") or named.get("color") or named.get("context") or first
    kind = callout_kind(type_)
    title: str | None = named.get("title")
    if not title and name in ("details", "expand") and positional:
        title = positional[0]
    ctx.note(no, "converted", "shortcode", f"Hugo '{written}' -> callout [!{kind}].")
    return callout(kind, title, convert(body, ctx), no, indent), close + 1


def _figure(positional: list[str], named: dict[str, str], no: int, indent: str, ctx: Context, written: str) -> list[Line]:
    src = named.get("src") or (positional[0] if positional else "")
    alt = named.get("alt") or named.get("title") or named.get("caption") or ""
    title = named.get("title")
    image = f'![{alt}]({src} "{title}")' if title else f"![{alt}]({src})"
    out: list[Line] = [(no, indent + image)]
    if named.get("caption"):
        out += [(no, ""), (no, f"{indent}*{named['caption']}*")]
    ctx.note(no, "converted", "shortcode", f"Hugo '{written}' -> a Markdown image.")
    return [*out, (no, "")]


def inline_shortcodes(no: int, text: str, ctx: Context) -> str:
    """Shortcodes inside a line of prose: refs become paths, videos and gists links, the rest is reported."""
    if "{{" not in text:
        return text
    text = _ESCAPED.sub(lambda m: "{{" + m.group(1) + " " + m.group(2) + " " + m.group(3) + "}}", text)

    def replace(m: re.Match[str]) -> str:
        name = m.group("name")
        positional, named = parse_args(m.group("args"))
        if name in ("ref", "relref") and positional:
            ctx.note(no, "converted", "shortcode", f"Hugo '{m.group(0)}' -> a link to {positional[0]}.")
            return positional[0]
        ident = named.get("id") or (positional[-1] if positional else "")
        target = None
        if name == "youtube" and ident:
            target = ("YouTube video", f"https://www.youtube.com/watch?v={ident}")
        elif name == "vimeo" and ident:
            target = ("Vimeo video", f"https://vimeo.com/{ident}")
        elif name == "gist" and len(positional) >= 2:
            target = ("Gist", f"https://gist.github.com/{positional[0]}/{positional[1]}")
        if target:
            ctx.note(no, "converted", "shortcode", f"Hugo '{m.group(0)}' -> a link ({target[1]}).")
            return f"[{target[0]}]({target[1]})"
        ctx.note(no, "unsupported", "shortcode", f"Hugo shortcode '{m.group(0)}' has no equivalent; left as written.")
        return m.group(0)

    return _SHORTCODE.sub(replace, text)
