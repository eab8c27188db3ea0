"""Markdown -> HTML for knowledge pages.

markdown-it-py (CommonMark + tables + strikethrough, heading anchors), Pygments for fenced code
(CSS classes from the one shared stylesheet), nh3 for raw HTML. One parse gives the HTML, the links
the page uses (for incremental builds) and a text excerpt (for the search index).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from .urls import is_external

CODE_CLASS = "hl"  # Pygments token classes are scoped under pre.hl in the shared stylesheet
EXCERPT_CHARS = 160
# Code blocks this long are shipped unhighlighted: Pygments time grows with size and a huge
# generated listing is rarely read token by token.
MAX_HIGHLIGHT_CHARS = 20_000

_FORMATTER = HtmlFormatter(nowrap=True)

# What the renderer itself produces, plus the usual safe tags; everything else in raw HTML goes.
_ATTRS: dict[str, set[str]] = copy.deepcopy(nh3.ALLOWED_ATTRIBUTES)
for _tag, _extra in {
    "a": {"class", "title"},
    "img": {"loading", "decoding", "title"},
    "code": {"class"},
    "pre": {"class"},
    "span": {"class"},
    "div": {"class"},
    "th": {"style"},
    "td": {"style"},
    **{f"h{i}": {"id"} for i in range(1, 7)},
}.items():
    _ATTRS.setdefault(_tag, set()).update(_extra)
_TAGS = set(nh3.ALLOWED_TAGS) | {"tfoot"}


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRS,
        clean_content_tags={"script", "style"},
        url_schemes={"http", "https", "mailto", "tel"},
        filter_style_properties={"text-align"},
        link_rel=None,
    )


@lru_cache(maxsize=256)
def _lexer(name: str) -> Lexer | None:
    try:
        return get_lexer_by_name(name)
    except ClassNotFound:
        return None


def _highlight(code: str, lang: str, _attrs: str) -> str:
    lexer = _lexer(lang.lower()) if lang and len(code) <= MAX_HIGHLIGHT_CHARS else None
    cls = f' class="language-{escapeHtml(lang)}"' if lang else ""
    body = highlight(code, lexer, _FORMATTER) if lexer is not None else escapeHtml(code)
    return f'<pre class="{CODE_CLASS}"><code{cls}>{body}</code></pre>\n'


@dataclass
class Rendered:
    html: str
    links: dict[str, str] = field(default_factory=dict)  # href as written -> href written
    excerpt: str = ""


LinkResolver = Callable[[str], "str | None"]


def _inline_text(token: Token) -> str:
    return "".join(c.content for c in token.children or () if c.type in ("text", "code_inline"))


def _post(state: StateCore) -> None:
    """Runs after the anchors rule: drop a leading title h1, keep one h1 per page, fix links."""
    tokens = state.tokens
    env = state.env
    title = env.get("title", "").strip().casefold()
    if (
        len(tokens) >= 3
        and tokens[0].type == "heading_open"
        and tokens[0].tag == "h1"
        and _inline_text(tokens[1]).strip().casefold() == title
    ):
        # The layout already renders the title as the page's h1.
        del tokens[:3]
    # The layout owns the only h1; if the body still has h1s, demote every heading one level so
    # the outline keeps its shape.
    if any(t.type == "heading_open" and t.tag == "h1" for t in tokens):
        for t in tokens:
            if t.type in ("heading_open", "heading_close"):
                t.tag = f"h{min(int(t.tag[1]) + 1, 6)}"
    resolve: LinkResolver | None = env.get("resolve")
    links: dict[str, str] = env["links"]
    text: list[str] = []
    size = 0
    for i, t in enumerate(tokens):
        if t.type in ("html_block", "html_inline"):
            env["has_html"] = True
        if t.type != "inline" or not t.children:
            continue
        # The excerpt is prose only: headings and table cells read badly out of context.
        if size < EXCERPT_CHARS and i and tokens[i - 1].type == "paragraph_open":
            chunk = _inline_text(t)
            text.append(chunk)
            size += len(chunk) + 1
        for c in t.children:
            if c.type == "html_inline":
                env["has_html"] = True
            elif c.type == "link_open" and resolve is not None:
                href = str(c.attrGet("href") or "")
                if is_external(href):  # includes the heading anchors' own '#id' links
                    continue
                new = resolve(href)
                # Unchanged links are recorded too ("" = left as written): a later build must notice
                # when the page they point at appears.
                links[href] = new or ""
                if new is not None:
                    c.attrSet("href", new)
            elif c.type == "image":
                c.attrSet("loading", "lazy")
                c.attrSet("decoding", "async")
    env["excerpt"] = " ".join(" ".join(text).split())


class MarkdownRenderer:
    """One configured parser per process; rendering is re-entrant per call via `env`."""

    def __init__(self) -> None:
        md = MarkdownIt("commonmark", {"highlight": _highlight, "xhtmlOut": False})
        md.enable(["table", "strikethrough"])
        anchors_plugin(md, min_level=1, max_level=4, permalink=True, permalinkSymbol="#")
        md.core.ruler.push("comstack_post", _post)
        self._md = md

    def render(self, source: str, title: str, resolve: LinkResolver | None = None) -> Rendered:
        env: dict[str, Any] = {"title": title, "resolve": resolve, "links": {}, "has_html": False}
        tokens: Sequence[Token] = self._md.parse(source, env)
        html = self._md.renderer.render(tokens, self._md.options, env)
        # Without raw HTML tokens markdown-it's output is already escaped and its links validated,
        # so the sanitizer only runs (over the whole body) when the author wrote HTML.
        if env["has_html"]:
            html = sanitize(html)
        excerpt = env.get("excerpt", "")
        if len(excerpt) > EXCERPT_CHARS:
            excerpt = excerpt[:EXCERPT_CHARS].rsplit(" ", 1)[0] + "…"
        return Rendered(html=html, links=env["links"], excerpt=excerpt)
