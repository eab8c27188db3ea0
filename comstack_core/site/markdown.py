"""Markdown -> HTML for knowledge pages.

markdown-it-py (CommonMark + tables + strikethrough, heading anchors, GitHub alerts `> [!NOTE]` and
`!!! note` admonitions, both shown as one kind of callout), Pygments for fenced code (CSS classes from
the one shared stylesheet), nh3 for raw HTML. One parse gives the HTML, the links the page uses (for
incremental builds), a text excerpt, the table of contents and the text of each section (for the
search index).
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
from mdit_py_plugins.admon import admon_plugin
from mdit_py_plugins.anchors import anchors_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from .urls import is_external

CODE_CLASS = "hl"  # Pygments token classes are scoped under pre.hl in the shared stylesheet
EXCERPT_CHARS = 160
# The content column is at most 48rem wide: a browser picks the srcset candidate for that.
IMAGE_SIZES = "(max-width: 48rem) 100vw, 48rem"
# Code blocks this long are shipped unhighlighted: Pygments time grows with size and a huge
# generated listing is rarely read token by token.
MAX_HIGHLIGHT_CHARS = 20_000

_FORMATTER = HtmlFormatter(nowrap=True)

# Headings listed in the table of contents (after any demotion: the page title is the only h1).
TOC_LEVELS = ("h2", "h3")
# Callout kinds: GitHub's five alerts, and the admonition names MkDocs readers know mapped onto them.
CALLOUTS = {
    "note": "note", "info": "note", "abstract": "note", "summary": "note", "example": "note",
    "quote": "note", "tip": "tip", "hint": "tip", "success": "tip", "check": "tip", "question": "tip",
    "important": "important", "warning": "warning", "attention": "warning", "bug": "warning",
    "caution": "caution", "danger": "caution", "failure": "caution", "error": "caution",
}  # fmt: skip

# What the renderer itself produces, plus the usual safe tags; everything else in raw HTML goes.
_ATTRS: dict[str, set[str]] = copy.deepcopy(nh3.ALLOWED_ATTRIBUTES)
for _tag, _extra in {
    "a": {"class", "title"},
    "img": {"loading", "decoding", "title", "srcset", "sizes"},
    "code": {"class"},
    "pre": {"class", "tabindex"},
    "span": {"class"},
    "div": {"class", "tabindex"},
    "p": {"class"},
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
    # Focusable because it may scroll sideways.
    return f'<pre class="{CODE_CLASS}" tabindex="0"><code{cls}>{body}</code></pre>\n'


@dataclass
class Rendered:
    html: str
    links: dict[str, str] = field(default_factory=dict)  # href as written -> href written
    excerpt: str = ""
    toc: list[tuple[int, str, str]] = field(default_factory=list)  # (level 2 or 3, id, text)
    # Plain text of the part before the first listed heading, then of each listed heading's section.
    sections: list[str] = field(default_factory=list)


LinkResolver = Callable[[str], "str | None"]


def _inline_text(token: Token) -> str:
    out = []
    for c in token.children or ():
        if c.type == "link_open" and c.attrGet("class") == "header-anchor":
            break  # the heading's own permalink symbol is not part of its text
        if c.type in ("text", "code_inline"):
            out.append(c.content)
    return "".join(out)


def _callouts(tokens: list[Token], titles: dict[str, str]) -> None:
    """GitHub alerts and admonitions -> <div class="cs-callout cs-KIND"> with a title in the page's language."""
    for i, t in enumerate(tokens):
        if t.type == "alert_open":
            tag = str(t.info).lower()
            default = True
        elif t.type == "admonition_open":
            tag = str(t.meta.get("tag", "")).lower()
            default = t.content == tag.title()  # no title given: the kind's name, which we translate
        else:
            continue
        kind = CALLOUTS.get(tag, "note")
        t.attrs = {"class": f"cs-callout cs-{kind}"}
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if nxt is not None and nxt.type in ("alert_title_open", "admonition_title_open"):
            nxt.attrs = {"class": "cs-callout-t"}
            title = tokens[i + 2]
            if default and title.children:
                title.children = [title.children[0]]
                title.children[0].content = titles.get(kind, kind.title())


def _table_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    # Wide tables scroll inside their own box instead of widening the page; focusable for keyboards.
    return '<div class="cs-table" tabindex="0">' + str(self.renderToken(tokens, idx, options, env))


def _code(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    # The wrapper holds the copy button the site script adds, outside the block's own scrolling.
    kind = tokens[idx].type
    inner = self.fence(tokens, idx, options, env) if kind == "fence" else self.code_block(tokens, idx, options, env)
    return f'<div class="cs-code">{inner}</div>\n'


def _table_close(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return str(self.renderToken(tokens, idx, options, env)) + "</div>\n"


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
    _callouts(tokens, env.get("titles") or {})
    resolve: LinkResolver | None = env.get("resolve")
    images: dict[str, tuple[int, int, str]] = env.get("images") or {}
    links: dict[str, str] = env["links"]
    toc: list[tuple[int, str, str]] = env["toc"]
    sections: list[list[str]] = [[]]
    text: list[str] = []
    size = 0
    for i, t in enumerate(tokens):
        if t.type in ("html_block", "html_inline"):
            env["has_html"] = True
        elif t.type in ("fence", "code_block"):
            sections[-1].append(t.content)
        elif t.type == "heading_open" and t.tag in TOC_LEVELS and t.attrGet("id"):
            heading = " ".join(_inline_text(tokens[i + 1]).split())
            if heading:
                toc.append((int(t.tag[1]), str(t.attrGet("id")), heading))
                sections.append([])
        if t.type != "inline" or not t.children:
            continue
        sections[-1].append(_inline_text(t))
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
                sized = images.get(str(c.attrGet("src") or ""))
                if sized is not None:
                    width, height, srcset = sized
                    c.attrSet("width", str(width))
                    c.attrSet("height", str(height))
                    if srcset:
                        c.attrSet("srcset", srcset)
                        c.attrSet("sizes", IMAGE_SIZES)
    env["excerpt"] = " ".join(" ".join(text).split())
    env["sections"] = [" ".join(part) for part in sections]


class MarkdownRenderer:
    """One configured parser per process; rendering is re-entrant per call via `env`."""

    def __init__(self) -> None:
        md = MarkdownIt("commonmark", {"highlight": _highlight, "xhtmlOut": False, "alerts": True})
        md.enable(["table", "strikethrough"])
        admon_plugin(md)
        anchors_plugin(md, min_level=1, max_level=4, permalink=True, permalinkSymbol="#")
        md.core.ruler.push("comstack_post", _post)
        md.add_render_rule("table_open", _table_open)
        md.add_render_rule("table_close", _table_close)
        md.add_render_rule("fence", _code)
        md.add_render_rule("code_block", _code)
        self._md = md

    def render(
        self,
        source: str,
        title: str,
        resolve: LinkResolver | None = None,
        titles: dict[str, str] | None = None,
        images: dict[str, tuple[int, int, str]] | None = None,
    ) -> Rendered:
        """`titles`: callout kind -> its default title in the page's language; `images`: an image's URL ->
        (width, height, srcset) to write on its <img>."""
        env: dict[str, Any] = {
            "images": images,
            "title": title,
            "resolve": resolve,
            "links": {},
            "has_html": False,
            "toc": [],
            "titles": titles,
        }
        tokens: Sequence[Token] = self._md.parse(source, env)
        html = self._md.renderer.render(tokens, self._md.options, env)
        # Without raw HTML tokens markdown-it's output is already escaped and its links validated,
        # so the sanitizer only runs (over the whole body) when the author wrote HTML.
        if env["has_html"]:
            html = sanitize(html)
        excerpt = env.get("excerpt", "")
        if len(excerpt) > EXCERPT_CHARS:
            excerpt = excerpt[:EXCERPT_CHARS].rsplit(" ", 1)[0] + "…"
        return Rendered(
            html=html, links=env["links"], excerpt=excerpt, toc=env["toc"], sections=env["sections"]
        )
