"""Blocked link schemes: every URL a page (or an ``<iframe srcdoc>`` inside it) would follow or load, as
a browser's URL parser reads it; ``javascript:``, ``data:`` and ``vbscript:`` are refused."""

from __future__ import annotations

from ...errors import InvalidInput
from .tree import ASCII_LOWER, document, document_roots, snippet, walk

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

# An iframe's srcdoc is a whole HTML document that runs with the page's origin, so links inside it
# are checked too. Each nesting level must escape the one inside it, so real pages never go deep;
# the cap keeps a crafted upload from making the check recurse without bound.
MAX_SRCDOC_DEPTH = 3

# URL parsing strips these from both ends ("C0 control or space") ...
_C0_AND_SPACE = "".join(chr(code) for code in range(0x21))

# ... and removes these anywhere, which is why ``java\tscript:`` still runs as JavaScript.
_TAB_NEWLINE = {0x09: None, 0x0A: None, 0x0D: None}

_ASCII_WHITESPACE = " \t\n\r\f"


def blocked_scheme(url: str) -> str | None:
    """The blocked scheme ``url`` resolves to, normalized as a browser's URL parser does."""
    normalized = url.strip(_C0_AND_SPACE).translate(_TAB_NEWLINE).translate(ASCII_LOWER)
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


def refresh_url(content: str) -> str | None:
    """The URL a ``<meta http-equiv="refresh" content=...>`` navigates to, read as the HTML standard's
    declarative refresh steps read it ("5; url='https://...'", "0,URL=...", "0 ...", or none)."""
    i, end = 0, len(content)
    while i < end and content[i] in _ASCII_WHITESPACE:
        i += 1
    start = i
    while i < end and (content[i].isdigit() or content[i] == "."):
        i += 1
    if i == start:
        return None  # no time: the refresh does nothing
    while i < end and content[i] in _ASCII_WHITESPACE:
        i += 1
    if i < end and content[i] in ";,":
        i += 1
    while i < end and content[i] in _ASCII_WHITESPACE:
        i += 1
    if i >= end:
        return None  # a plain reload
    rest = content[i:]
    if rest[:3].translate(ASCII_LOWER) == "url":
        after = rest[3:].lstrip(_ASCII_WHITESPACE)
        if after.startswith("="):
            rest = after[1:].lstrip(_ASCII_WHITESPACE)
    if rest[:1] in ("'", '"'):
        quote, rest = rest[0], rest[1:]
        rest = rest.split(quote, 1)[0]
    return rest


def _ordinal_label(tag: str, counts: dict[str, int]) -> str:
    return f"<{tag}> #{counts[tag]}"


def _problem(prefix: str, tag: str, attribute: str, where: str, scheme: str, context: str) -> str:
    return f"{prefix}<{tag} {attribute}>{where} uses the blocked scheme '{scheme}' ({context})"


def _scan_links(html: str, depth: int, problems: list[str], prefix: str) -> None:
    tree = document(html)
    counts: dict[str, int] = {}
    for element, attributes, scope in walk(document_roots(tree), templates=True):
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
                    context = f"{label}, value {snippet(value)}"
                    problems.append(_problem(prefix, tag, name, where, scheme, context))
            elif name in SRCSET_ATTRIBUTES:
                for number, url in enumerate(_srcset_urls(value), start=1):
                    scheme = blocked_scheme(url)
                    if scheme:
                        context = f"{label}, candidate {number}, value {snippet(url)}"
                        problems.append(_problem(prefix, tag, name, where, scheme, context))

        # <meta http-equiv="refresh" content="0; url=javascript:..."> navigates without any link.
        if tag == "meta" and (attributes.get("http-equiv") or "").strip().translate(ASCII_LOWER) == "refresh":
            target = refresh_url(attributes.get("content") or "")
            scheme = blocked_scheme(target) if target is not None else None
            if scheme:
                context = f"{label} refresh, value {snippet(attributes.get('content') or '')}"
                problems.append(_problem(prefix, tag, "content", where, scheme, context))

        # SVG animation can rewrite a link's href after load (<set attributeName="href"
        # to="javascript:...">), a well-known way around attribute checks.
        if tag in ("set", "animate") and scope.in_svg:
            target = (attributes.get("attributeName") or attributes.get("attributename") or "").strip()
            if target.translate(ASCII_LOWER) in ("href", "xlink:href"):
                for name in ("to", "from", "values"):
                    raw = attributes.get(name)
                    for value in (raw or "").split(";") if name == "values" else [raw or ""]:
                        scheme = blocked_scheme(value)
                        if scheme:
                            context = f"{label} animating {target}, value {snippet(value)}"
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
