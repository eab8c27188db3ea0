"""Translation markers: ``data-t-key`` elements in HTML and ``<T>`` components in Astro, extracted as
``{key: default text}`` (with every mistake listed), and filled with translated text in HTML."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ...errors import InvalidInput
from .depth import VOID_TAGS, check_nesting
from .tree import MARKER_ATTRIBUTE, children, document, document_roots, quoted, snippet, walk

MARKER_KEY_RE = re.compile(r"[a-z0-9][a-z0-9_.-]{0,99}")

BODY_FORMATS: tuple[str, ...] = ("html", "astro")

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
                f"{label} reuses the key {key!r} with different text: {snippet(default)} here but "
                f"{snippet(self.strings[key])} in {self._defined_at[key]}; use the same text or a "
                "different key."
            )


def extract_html_markers(html: str) -> dict[str, str]:
    """``{key: default}`` for every ``data-t-key`` element, in document order."""
    tree = document(html)
    collector = _MarkerCollector()
    number = 0
    for element, attributes, scope in walk(document_roots(tree), templates=False):
        if MARKER_ATTRIBUTE not in attributes:
            continue
        number += 1
        key = attributes[MARKER_ATTRIBUTE]
        label = f"Marker {number} (<{element.tag} {MARKER_ATTRIBUTE}={quoted(key or '')}>)"
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
        label = f"Line {line}: <T key={quoted(key or '')}>"
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
                f"Line {line}: <T key={quoted(key)}> is never closed; add </T> or write it "
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


_DOCUMENT_RE = re.compile(r"<(?:!doctype|html|head|body)[\s>/]", re.IGNORECASE)


def fill_html_markers(html: str, strings: dict[str, str]) -> str:
    """Replace the text of each ``data-t-key`` element with ``strings[key]``; other markup is kept.

    The new text is inserted as a text node, so the serializer escapes it (a translation cannot
    inject markup). Custom-page bodies are usually fragments that the site shell wraps, so they are
    parsed as a fragment and come back without an added ``<html><head><body>``.
    """
    check_nesting(html)
    if _DOCUMENT_RE.search(html):
        tree = LexborHTMLParser(html)
        roots = document_roots(tree)
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
    for element, attributes, scope in walk(roots, templates=False):
        key = attributes.get(MARKER_ATTRIBUTE)
        # Void elements cannot hold text; the marker there is meaningless, so it is left alone.
        fillable = scope.marker_key is None and element.tag not in VOID_TAGS
        if fillable and key is not None and key in strings:
            targets.append((element, strings[key]))
    for element, text in targets:
        for child in children(element):
            child.decompose()
        element.insert_child(text)
    return tree.html or ""
