"""Checks for uploaded custom pages (HTML or Astro bodies): blocked link schemes, lint warnings and
translation markers.

Everything here works on a parsed tree, never on regexes over markup: attackers hide schemes with
character references (``&#106;avascript:``), embedded tabs (``java&#x09;script:``) or odd casing, and
only a real parser decodes those exactly as a browser does. HTML goes through selectolax's Lexbor
parser (a WHATWG-conformant HTML5 parser). Astro is not HTML (``<T />`` components are self-closing,
tag case matters), so it goes through the stdlib tokenizer instead.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..errors import InvalidInput

BLOCKED_SCHEMES: tuple[str, ...] = ("javascript:", "data:", "vbscript:")

# Attributes whose value is one URL. ``xlink:href`` is how Lexbor names the adjusted SVG attribute
# whatever case the source used (``XLink:Href`` arrives as ``xlink:href``).
URL_ATTRIBUTES: tuple[str, ...] = (
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "poster",
    "data",
    "background",
    "cite",
)
# Attributes holding a comma-separated list of image candidates, each starting with a URL.
SRCSET_ATTRIBUTES: tuple[str, ...] = ("srcset", "imagesrcset")

HUGE_INLINE_SVG_BYTES = 50_000
MARKER_ATTRIBUTE = "data-t-key"
MARKER_KEY_RE = re.compile(r"[a-z0-9][a-z0-9_.-]{0,99}")
BODY_FORMATS: tuple[str, ...] = ("html", "astro")

# An iframe's srcdoc is a whole HTML document that runs with the page's origin, so links inside it
# are checked too. Each nesting level must escape the one inside it, so real pages never go deep;
# the cap keeps a crafted upload from making the check recurse without bound.
MAX_SRCDOC_DEPTH = 3

# URL parsing strips these from both ends ("C0 control or space") ...
_C0_AND_SPACE = "".join(chr(code) for code in range(0x21))
# ... and removes these anywhere, which is why ``java\tscript:`` still runs as JavaScript.
_TAB_NEWLINE = {0x09: None, 0x0A: None, 0x0D: None}
# Schemes are ASCII-case-insensitive; str.lower() would also fold non-ASCII letters, which a browser
# never treats as part of a scheme.
_ASCII_LOWER = {code: code + 32 for code in range(ord("A"), ord("Z") + 1)}
_ASCII_WHITESPACE = " \t\n\r\f"

_SNIPPET_LENGTH = 60


# --------------------------------------------------------------------------------------------------
# Shared tree walking
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Scope:
    """What an element's ancestors tell us about it, carried down the walk in O(1) per element
    (asking each element for its ancestors would make deep documents quadratic)."""

    in_svg: bool = False
    marker_key: str | None = None  # key of the nearest data-t-key ancestor
    where: str = ""  # e.g. " inside <template>", appended to messages

    def enter(self, element: LexborNode, attributes: dict[str, str | None]) -> _Scope:
        in_svg = self.in_svg or element.tag == "svg"
        marker_key = self.marker_key
        if MARKER_ATTRIBUTE in attributes:
            marker_key = attributes[MARKER_ATTRIBUTE] or ""
        if in_svg == self.in_svg and marker_key == self.marker_key:
            return self
        return _Scope(in_svg=in_svg, marker_key=marker_key, where=self.where)


def _children(node: LexborNode) -> list[LexborNode]:
    """Direct children, text and comments included.

    Navigates with child/next rather than iter(): on the first node of a fragment parse, selectolax's
    iter() yields the whole fragment's top level instead of that node's children.
    """
    children: list[LexborNode] = []
    child = node.child
    while child is not None:
        children.append(child)
        child = child.next
    return children


def _walk(
    starts: Iterable[LexborNode], *, templates: bool
) -> Iterator[tuple[LexborNode, dict[str, str | None], _Scope]]:
    """Elements in document order with their attributes and the scope their ancestors give them.

    Iterative on purpose: uploaded pages can nest thousands of levels deep, and Python recursion
    would overflow. ``<template>`` content is not part of the document tree, so it is walked only
    when asked (scripts can still stamp it into the page, so link checks want it).
    """
    stack: list[tuple[LexborNode, _Scope]] = [(node, _Scope()) for node in reversed(list(starts))]
    while stack:
        node, scope = stack.pop()
        if not node.is_element_node:
            continue
        attributes = node.attributes
        yield node, attributes, scope
        inner = scope.enter(node, attributes)
        stack.extend((child, inner) for child in reversed(_children(node)))
        if templates and node.tag == "template":
            template_scope = _Scope(
                in_svg=inner.in_svg, marker_key=inner.marker_key, where=" inside <template>"
            )
            for fragment in reversed(node.template_fragments()):
                stack.extend((child, template_scope) for child in reversed(_children(fragment)))


# --------------------------------------------------------------------------------------------------
# Nesting guard
# --------------------------------------------------------------------------------------------------

# The HTML tree builder checks "element in scope" by walking the stack of open elements, so parse
# time grows with the square of the nesting depth: 100,000 nested <div>s (500 KB, well under the
# upload cap) take Lexbor about 16 seconds. Browsers cap depth too (Chromium at 512), so nothing
# deeper than this renders as written anyway.
MAX_NESTING_DEPTH = 1000

_TAG_RE = re.compile(r"<!--.*?(?:-->|\Z)|<(/?)([A-Za-z][^\s/>]*)[^>]*>?", re.DOTALL)
_VOID_TAGS = frozenset(
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
        if name in _VOID_TAGS or name in _OPTIONAL_END_TAGS:
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
def _check_nesting(html: str) -> None:
    depth = estimated_nesting_depth(html)
    if depth > MAX_NESTING_DEPTH:
        raise InvalidInput(
            f"The page nests elements more than {MAX_NESTING_DEPTH} levels deep; browsers do not render "
            "markup that deep as written and it is too slow to check. Flatten the markup (close "
            "elements you no longer need open).",
            code="html_too_deep",
            max_depth=MAX_NESTING_DEPTH,
        )


def _document(html: str) -> LexborHTMLParser:
    _check_nesting(html)
    return LexborHTMLParser(html)


def _document_roots(tree: LexborHTMLParser) -> list[LexborNode]:
    return [tree.root] if tree.root is not None else []


def _truncate(value: str, limit: int = _SNIPPET_LENGTH) -> str:
    return value if len(value) <= limit else value[:limit] + "…"


def _snippet(value: str) -> str:
    # repr() shows hidden tabs and newlines, which is usually exactly the trick being used.
    return repr(_truncate(value))


def _quoted(value: str) -> str:
    # For echoing an attribute back the way it would be written in the page.
    return '"' + _truncate(value).replace('"', "&quot;") + '"'


# --------------------------------------------------------------------------------------------------
# Blocked link schemes
# --------------------------------------------------------------------------------------------------


def blocked_scheme(url: str) -> str | None:
    """The blocked scheme ``url`` resolves to, normalized as a browser's URL parser does."""
    normalized = url.strip(_C0_AND_SPACE).translate(_TAB_NEWLINE).translate(_ASCII_LOWER)
    for scheme in BLOCKED_SCHEMES:
        if normalized.startswith(scheme):
            return scheme
    return None


def _srcset_urls(value: str) -> list[str]:
    """Candidate URLs of a srcset, following the HTML standard's parser.

    Splitting on commas would be wrong: ``data:image/png;base64,AAAA 2x`` is one candidate whose
    URL contains a comma. A URL runs to the next whitespace; only trailing commas end it.
    """
    urls: list[str] = []
    i, end = 0, len(value)
    while True:
        while i < end and (value[i] in _ASCII_WHITESPACE or value[i] == ","):
            i += 1
        if i >= end:
            return urls
        start = i
        while i < end and value[i] not in _ASCII_WHITESPACE:
            i += 1
        url = value[start:i]
        if url.endswith(","):
            urls.append(url.rstrip(","))
            continue
        urls.append(url)
        # Skip the descriptors ("2x", "300w"); a comma inside parentheses does not end them.
        in_parens = False
        while i < end:
            char = value[i]
            i += 1
            if in_parens:
                in_parens = char != ")"
            elif char == "(":
                in_parens = True
            elif char == ",":
                break


def _ordinal_label(tag: str, counts: dict[str, int]) -> str:
    return f"<{tag}> #{counts[tag]}"


def _problem(prefix: str, tag: str, attribute: str, where: str, scheme: str, context: str) -> str:
    return f"{prefix}<{tag} {attribute}>{where} uses the blocked scheme '{scheme}' ({context})"


def _scan_links(html: str, depth: int, problems: list[str], prefix: str) -> None:
    tree = _document(html)
    counts: dict[str, int] = {}
    for element, attributes, scope in _walk(_document_roots(tree), templates=True):
        tag = element.tag or "?"
        counts[tag] = counts.get(tag, 0) + 1
        label = _ordinal_label(tag, counts)
        where = (" inside <svg>" if scope.in_svg and tag != "svg" else "") + scope.where

        for name, value in attributes.items():
            if not value:
                continue
            if name in URL_ATTRIBUTES:
                scheme = blocked_scheme(value)
                if scheme:
                    context = f"{label}, value {_snippet(value)}"
                    problems.append(_problem(prefix, tag, name, where, scheme, context))
            elif name in SRCSET_ATTRIBUTES:
                for number, url in enumerate(_srcset_urls(value), start=1):
                    scheme = blocked_scheme(url)
                    if scheme:
                        context = f"{label}, candidate {number}, value {_snippet(url)}"
                        problems.append(_problem(prefix, tag, name, where, scheme, context))

        # SVG animation can rewrite a link's href after load (<set attributeName="href"
        # to="javascript:...">), a well-known way around attribute checks.
        if tag in ("set", "animate") and scope.in_svg:
            target = (attributes.get("attributeName") or attributes.get("attributename") or "").strip()
            if target.translate(_ASCII_LOWER) in ("href", "xlink:href"):
                for name in ("to", "from", "values"):
                    raw = attributes.get(name)
                    for value in (raw or "").split(";") if name == "values" else [raw or ""]:
                        scheme = blocked_scheme(value)
                        if scheme:
                            context = f"{label} animating {target}, value {_snippet(value)}"
                            problems.append(_problem(prefix, tag, name, where, scheme, context))

        srcdoc = attributes.get("srcdoc")
        if tag == "iframe" and srcdoc:
            inner_prefix = f"{prefix}inside <iframe srcdoc> ({label}{where}): "
            if depth >= MAX_SRCDOC_DEPTH:
                problems.append(
                    f"{inner_prefix}srcdoc documents are nested more than {MAX_SRCDOC_DEPTH} levels "
                    "deep and cannot be checked; link to a separate page instead"
                )
            else:
                _scan_links(srcdoc, depth + 1, problems, inner_prefix)


def find_blocked_links(html: str) -> list[str]:
    """One human-readable problem per URL that uses ``javascript:``, ``data:`` or ``vbscript:``."""
    problems: list[str] = []
    _scan_links(html, 0, problems, "")
    return problems


def check_blocked_links(html: str) -> None:
    problems = find_blocked_links(html)
    if problems:
        listed = " ".join(f"{number}. {problem}." for number, problem in enumerate(problems, start=1))
        raise InvalidInput(
            f"The page links to blocked URL schemes (javascript:, data:, vbscript:): {listed} "
            "Use https: links or site paths instead.",
            code="blocked_link_scheme",
            problems=problems,
        )


# --------------------------------------------------------------------------------------------------
# Lint (warnings only)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LintFinding:
    rule: str  # 'missing-h1' | 'img-missing-alt' | 'render-blocking-script' | 'huge-inline-image'
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "message": self.message}


# Script types a browser runs as classic scripts; any other non-empty type (JSON, templates) is
# never executed, so it cannot block rendering.
_CLASSIC_SCRIPT_TYPES = frozenset(
    {
        "application/ecmascript",
        "application/javascript",
        "application/x-ecmascript",
        "application/x-javascript",
        "text/ecmascript",
        "text/javascript",
        "text/javascript1.0",
        "text/javascript1.1",
        "text/javascript1.2",
        "text/javascript1.3",
        "text/javascript1.4",
        "text/javascript1.5",
        "text/jscript",
        "text/livescript",
        "text/x-ecmascript",
        "text/x-javascript",
    }
)
# Elements that put something on screen by themselves, even without text. Empty wrappers
# (<div>, <main>) do not count: a script inside an empty wrapper still blocks the first paint.
_VISIBLE_ELEMENTS = frozenset(
    {
        "audio",
        "button",
        "canvas",
        "embed",
        "hr",
        "iframe",
        "img",
        "input",
        "math",
        "object",
        "picture",
        "select",
        "svg",
        "textarea",
        "video",
    }
)
# Text inside these is not rendered content.
_NON_CONTENT_PARENTS = frozenset({"script", "style", "noscript", "template", "title"})


def _blocks_rendering(attributes: dict[str, str | None]) -> bool:
    if "async" in attributes or "defer" in attributes:
        return False
    script_type = (attributes.get("type") or "").strip().translate(_ASCII_LOWER)
    if script_type == "module":
        return False  # module scripts are deferred by default
    return not script_type or script_type in _CLASSIC_SCRIPT_TYPES


def _blocking_scripts(tree: LexborHTMLParser) -> dict[int, str]:
    """Synchronous external scripts in <head>, or in <body> before anything is rendered, as
    ``{mem_id: where}``. Later ones only hold up what follows them, which is usually nothing."""
    found: dict[int, str] = {}
    if tree.head is not None:
        for script in tree.head.css("script[src]"):
            if _blocks_rendering(script.attributes):
                found[script.mem_id] = "in <head>"
    if tree.body is not None:
        for node in tree.body.traverse(include_text=True):
            if node.is_text_node:
                parent = node.parent
                if (node.text_content or "").strip() and (
                    parent is None or parent.tag not in _NON_CONTENT_PARENTS
                ):
                    break
            elif node.tag in _VISIBLE_ELEMENTS:
                break
            elif node.tag == "script" and node.attributes.get("src") and _blocks_rendering(node.attributes):
                found[node.mem_id] = "at the top of <body>, before any content,"
    return found


def lint_html(html: str) -> list[LintFinding]:
    """Advisory findings; none of them blocks an upload."""
    tree = _document(html)
    findings: list[LintFinding] = []

    if tree.css_first("h1") is None:
        findings.append(
            LintFinding(
                "missing-h1",
                "The page has no <h1>; add one <h1> that states what the page is about "
                "(search engines and screen readers use it as the page's main heading).",
            )
        )

    for number, image in enumerate(tree.css("img"), start=1):
        attributes = image.attributes
        # A bare or empty alt is fine: it marks the image as decorative.
        if "alt" not in attributes:
            source = attributes.get("src") or attributes.get("srcset") or "none"
            findings.append(
                LintFinding(
                    "img-missing-alt",
                    f'Image {number} (src={_truncate(source)}) has no alt text; add alt="..." describing it, '
                    'or alt="" if it is purely decorative.',
                )
            )

    blocking = _blocking_scripts(tree)
    external_scripts = [node for node in tree.css("script") if node.attributes.get("src")]
    for number, script in enumerate(external_scripts, start=1):
        place = blocking.get(script.mem_id)
        if place is None:
            continue
        findings.append(
            LintFinding(
                "render-blocking-script",
                f"Script {number} (src={_truncate(script.attributes.get('src') or '')}) {place} blocks "
                'rendering until it downloads and runs; add defer (or async, or type="module") or move '
                "it to the end of <body>.",
            )
        )

    svg_number = 0
    for element, _attributes, scope in _walk(_document_roots(tree), templates=False):
        if element.tag != "svg" or scope.in_svg:
            continue  # an <svg> inside another is already counted in its parent's size
        svg_number += 1
        size = len((element.html or "").encode("utf-8"))
        if size > HUGE_INLINE_SVG_BYTES:
            findings.append(
                LintFinding(
                    "huge-inline-image",
                    f"Inline <svg> {svg_number} is {size / 1000:.1f} KB (over "
                    f"{HUGE_INLINE_SVG_BYTES // 1000} KB) and is re-downloaded with every page view; save "
                    'it as an .svg file and reference it with <img src="..." alt="..."> so browsers can '
                    "cache it.",
                )
            )
    return findings


# --------------------------------------------------------------------------------------------------
# Translation markers
# --------------------------------------------------------------------------------------------------

_KEY_RULE = (
    "use 1-100 characters of a-z, 0-9, '_', '.' and '-', starting with a letter or digit "
    "(for example 'hero.title')"
)


def _raise_marker_errors(errors: list[str]) -> None:
    if errors:
        listed = " ".join(f"{number}. {error}" for number, error in enumerate(errors, start=1))
        raise InvalidInput(
            f"Translation markers are invalid: {listed}",
            code="invalid_translation_markers",
            errors=errors,
        )


class _MarkerCollector:
    """Applies the rules shared by both formats: valid key, default present, same key same text."""

    def __init__(self) -> None:
        self.strings: dict[str, str] = {}
        self.errors: list[str] = []
        self._defined_at: dict[str, str] = {}  # key -> where it was first defined ("marker 2")

    def add(self, label: str, where: str, key: str | None, default: str | None, *, missing: str) -> None:
        key_ok = bool(key) and MARKER_KEY_RE.fullmatch(key or "") is not None
        if not key:
            self.errors.append(f"{label} has no key; {_KEY_RULE}.")
        elif not key_ok:
            self.errors.append(f"{label}: the key {key!r} is invalid; {_KEY_RULE}.")
        if default is None or not default.strip():
            self.errors.append(f"{label} has no default text (missing default); {missing}.")
            return
        if not key_ok or key is None:
            return
        if key not in self.strings:
            self.strings[key] = default
            self._defined_at[key] = where
        elif self.strings[key] != default:
            # Same key, same text is fine (a repeated button label); different text would leave
            # one of them untranslatable.
            self.errors.append(
                f"{label} reuses the key {key!r} with different text: {_snippet(default)} here but "
                f"{_snippet(self.strings[key])} in {self._defined_at[key]}; use the same text or a "
                "different key."
            )


def extract_html_markers(html: str) -> dict[str, str]:
    """``{key: default}`` for every ``data-t-key`` element, in document order."""
    tree = _document(html)
    collector = _MarkerCollector()
    number = 0
    for element, attributes, scope in _walk(_document_roots(tree), templates=False):
        if MARKER_ATTRIBUTE not in attributes:
            continue
        number += 1
        key = attributes[MARKER_ATTRIBUTE]
        label = f"Marker {number} (<{element.tag} {MARKER_ATTRIBUTE}={_quoted(key or '')}>)"
        if scope.marker_key is not None:
            collector.errors.append(
                f"{label} is nested inside the marker {scope.marker_key!r}; nested markers are not "
                "allowed, so mark the inner and outer text separately or remove one of them."
            )
            continue
        collector.add(
            label,
            f"marker {number}",
            key,
            element.text(deep=True).strip(),
            missing="put the default wording inside the element",
        )
    _raise_marker_errors(collector.errors)
    return collector.strings


_FRONTMATTER_RE = re.compile(r"\A\s*---[ \t]*\r?\n.*?^---[ \t]*\r?$", re.DOTALL | re.MULTILINE)
_COMPONENT_T_RE = re.compile(r"<T[\s/>]")
_EXPRESSION_ATTRIBUTE_RE = r"(?:^|\s){name}\s*=\s*\{{"


class _AstroMarkerParser(HTMLParser):
    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.source = source
        self.collector = _MarkerCollector()
        self.open_markers: list[tuple[str, int]] = []  # (key, line) of each unclosed <T>
        # getpos() gives (line, column); end tags are only identified by position in the source.
        self._line_starts = [0]
        for match in re.finditer("\n", source):
            self._line_starts.append(match.end())

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def _is_component_start(self, tag: str) -> bool:
        # HTMLParser lowercases tag names; <T> is the component, <t> would be a plain element.
        return tag == "t" and bool(_COMPONENT_T_RE.match(self.get_starttag_text() or ""))

    def _marker(self, attrs: list[tuple[str, str | None]], *, paired: bool) -> None:
        line = self.getpos()[0]
        values: dict[str, str | None] = {}
        for name, value in attrs:
            values.setdefault(name, value)  # the first of duplicated attributes wins, as in HTML
        key = values.get("key")
        label = f"Line {line}: <T key={_quoted(key or '')}>"
        start_tag = self.get_starttag_text() or ""
        expressions = [
            name
            for name in ("key", "default")
            if re.search(_EXPRESSION_ATTRIBUTE_RE.format(name=name), start_tag)
        ]
        if expressions:
            # default={...} is evaluated at build time; only a literal can be extracted here.
            for name in expressions:
                self.collector.errors.append(
                    f'{label}: {name} is an {{expression}}; write it as a quoted string ({name}="...") '
                    "so it can be extracted for translation."
                )
        elif self.open_markers:
            outer_key, outer_line = self.open_markers[-1]
            self.collector.errors.append(
                f"{label} is nested inside the marker {outer_key!r} opened on line {outer_line}; nested "
                "markers are not allowed, so close the outer <T> first or use self-closing <T ... />."
            )
        else:
            self.collector.add(
                label,
                f"the <T> on line {line}",
                key,
                values.get("default"),
                missing='add default="..." with the source text',
            )
        if paired:
            self.open_markers.append((key or "", line))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._is_component_start(tag):
            self._marker(attrs, paired=True)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._is_component_start(tag):
            self._marker(attrs, paired=False)

    def handle_endtag(self, tag: str) -> None:
        if tag != "t" or not self.source.startswith("</T", self._offset()):
            return
        if self.open_markers:
            self.open_markers.pop()
        else:
            self.collector.errors.append(
                f"Line {self.getpos()[0]}: </T> closes no open <T>; remove it or add the opening tag."
            )

    def finish(self) -> None:
        self.close()
        for key, line in self.open_markers:
            self.collector.errors.append(
                f"Line {line}: <T key={_quoted(key)}> is never closed; add </T> or write it "
                "self-closing as <T ... />."
            )


def _blank_frontmatter(source: str) -> str:
    """Replace the ``---`` script block with spaces (keeping newlines, so line numbers still match):
    it is JavaScript, where ``a<b`` or a string holding ``<T ...>`` is not markup."""
    match = _FRONTMATTER_RE.match(source)
    if not match:
        return source
    blanked = re.sub(r"[^\n]", " ", match.group(0))
    return blanked + source[match.end() :]


def extract_astro_markers(source: str) -> dict[str, str]:
    """``{key: default}`` for every ``<T key="k" default="..." />`` (or paired ``<T ...>...</T>``)."""
    parser = _AstroMarkerParser(_blank_frontmatter(source))
    try:
        parser.feed(parser.source)
        parser.finish()
    except AssertionError as exc:  # _markupbase signals some malformed declarations this way
        parser.collector.errors.append(
            f"Line {parser.getpos()[0]}: the source could not be read ({exc}); fix the markup there."
        )
    _raise_marker_errors(parser.collector.errors)
    return parser.collector.strings


def extract_markers(body: str, body_format: str) -> dict[str, str]:
    if body_format == "html":
        return extract_html_markers(body)
    if body_format == "astro":
        return extract_astro_markers(body)
    raise InvalidInput(
        f"Unknown body_format {body_format!r}; use one of: {', '.join(BODY_FORMATS)}.",
        code="invalid_body_format",
        allowed=list(BODY_FORMATS),
    )


# --------------------------------------------------------------------------------------------------
# Filling markers (translated custom pages)
# --------------------------------------------------------------------------------------------------

_DOCUMENT_RE = re.compile(r"<(?:!doctype|html|head|body)[\s>/]", re.IGNORECASE)


def fill_html_markers(html: str, strings: dict[str, str]) -> str:
    """Replace the text of each ``data-t-key`` element with ``strings[key]``; other markup is kept.

    The new text is inserted as a text node, so the serializer escapes it (a translation cannot
    inject markup). Custom-page bodies are usually fragments that the site shell wraps, so they are
    parsed as a fragment and come back without an added ``<html><head><body>``.
    """
    _check_nesting(html)
    if _DOCUMENT_RE.search(html):
        tree = LexborHTMLParser(html)
        roots = _document_roots(tree)
    else:
        tree = LexborHTMLParser(html, is_fragment=True)
        # A fragment has no container node: its top level is the first node and its siblings.
        roots = []
        node = tree.root
        while node is not None:
            roots.append(node)
            node = node.next
    # Collect first, then edit: replacing an outer marker's children would free a nested marker's
    # node. Nested markers are invalid anyway, so only the outermost one is filled.
    targets: list[tuple[LexborNode, str]] = []
    for element, attributes, scope in _walk(roots, templates=False):
        key = attributes.get(MARKER_ATTRIBUTE)
        # Void elements cannot hold text; the marker there is meaningless, so it is left alone.
        fillable = scope.marker_key is None and element.tag not in _VOID_TAGS
        if fillable and key is not None and key in strings:
            targets.append((element, strings[key]))
    for element, text in targets:
        for child in _children(element):
            child.decompose()
        element.insert_child(text)
    return tree.html or ""
