"""The captured HTML: size and kind checks, one lxml parse, links made absolute, the head's facts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

import lxml.html
from lxml import etree
from lxml.html import HtmlElement
from lxml.html.defs import html5_tags, tags

from ..errors import InvalidInput, PayloadTooLarge
from .urls import check_page_url, without_credentials

MAX_HTML_BYTES = 1024 * 1024
# Lazy-loading attributes real sites put the image URL in; lxml's link rewriter knows only src/href.
_LAZY_ATTRS = ("data-src", "data-lazy-src", "data-original", "data-url")
_SRCSET_ATTRS = ("srcset", "data-srcset")
HTML_TAGS = frozenset(tags | html5_tags | {"main", "template", "picture", "dialog", "search", "slot"})
_XML_PROLOG = re.compile(r"<\?xml[^>]*>\s*", re.IGNORECASE)
# What may come before the first element: a doctype, comments, processing instructions, whitespace.
_PREAMBLE = re.compile(r"(?:\s+|<!--.*?-->|<![^>]*>|<\?[^>]*>)*", re.DOTALL)
_FIRST_TAG = re.compile(r"<([A-Za-z][\w:.-]*)")
# Elements that only make a document HTML when something else is there too (lxml adds html/body).
_NOT_EVIDENCE = frozenset({"html", "head", "body"})


@dataclass
class PageDocument:
    url: str  # as sent, minus credentials
    tree: HtmlElement  # every link and image URL absolute
    base_url: str  # what relative links were resolved against (<base href> or the page URL)
    lang: str | None  # <html lang> / xml:lang, as written
    content_language: str | None  # <meta http-equiv="content-language">
    head_title: str | None
    canonical_url: str | None
    meta_description: str | None


def html_size(html: str) -> int:
    return len(html.encode("utf-8", errors="surrogatepass"))


def check_html(html: object, max_bytes: int = MAX_HTML_BYTES) -> str:
    """The HTML as sent, or a clear refusal: too large (``html_too_large``) or not HTML (``not_html``)."""
    if not isinstance(html, str):
        raise InvalidInput("html is required: the page's HTML as a string.", code="not_html")
    size = html_size(html)
    if size > max_bytes:
        raise PayloadTooLarge(
            f"The captured HTML is {size:,} bytes; the limit is {max_bytes:,} bytes. Capture the page "
            "without inline images or scripts, or copy the part you need into a new page.",
            code="html_too_large",
            size_bytes=size,
            limit_bytes=max_bytes,
        )
    if "\x00" in html:
        raise InvalidInput("html contains NUL bytes: this is binary data, not an HTML page.", code="not_html")
    start = _XML_PROLOG.sub("", html.lstrip("\ufeff \t\r\n"), count=1)
    if not start:
        raise InvalidInput("html is empty: send the page's HTML (document.documentElement.outerHTML).", code="not_html")
    if not start.startswith("<"):
        raise InvalidInput(
            f"html does not look like HTML (it starts with {start[:30]!r}); send the page's markup, "
            "not its text, JSON or a file's bytes.",
            code="not_html",
        )
    preamble = _PREAMBLE.match(start)
    first = _FIRST_TAG.match(start, preamble.end() if preamble else 0)
    name = first.group(1).lower() if first else ""
    if name in ("svg", "math") or (name and "-" not in name and name not in HTML_TAGS):
        raise InvalidInput(
            f"html starts with a <{name}> element: this is XML (a feed, a sitemap, an image), not an HTML "
            "page. Send the HTML of the page as the browser shows it.",
            code="not_html",
        )
    return html


def parse_page(url: str, html: str, max_bytes: int = MAX_HTML_BYTES) -> PageDocument:
    url = without_credentials(check_page_url(url))
    check_html(html, max_bytes)
    try:
        tree = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError) as error:
        raise InvalidInput(f"html could not be parsed as HTML ({error}).", code="not_html") from None
    if not _has_html_elements(tree):
        raise InvalidInput(
            "html has no HTML elements (no body, headings, paragraphs, links...): it looks like XML or "
            "another format. Send the rendered page's HTML.",
            code="not_html",
        )
    base_url = _base_url(tree, url)
    _absolutize(tree, base_url)
    return PageDocument(
        url=url,
        tree=tree,
        base_url=base_url,
        lang=_html_lang(tree),
        content_language=_meta(tree, "http-equiv", "content-language"),
        head_title=_text(tree.find(".//title")),
        canonical_url=_first(tree, "//link[contains(concat(' ', normalize-space(@rel), ' '), ' canonical ')]/@href"),
        meta_description=_meta(tree, "name", "description"),
    )


def _has_html_elements(tree: HtmlElement) -> bool:
    for element in tree.iter():
        tag = element.tag
        if isinstance(tag, str) and tag not in _NOT_EVIDENCE and tag.lower() in HTML_TAGS:
            return True
    return False


def _base_url(tree: HtmlElement, url: str) -> str:
    href = _first(tree, "//base/@href")
    if not href:
        return url
    resolved = urljoin(url, href)
    return resolved if resolved.startswith(("http://", "https://")) else url


def _absolutize(tree: HtmlElement, base_url: str) -> None:
    # <base href> was read above; lxml would resolve it again against the wrong URL, so drop it.
    for base in tree.findall(".//base"):
        base.drop_tree()
    tree.make_links_absolute(base_url, resolve_base_href=False, handle_failures="ignore")
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        for attr in _LAZY_ATTRS:
            value = element.get(attr)
            if value and not value.startswith("data:"):
                element.set(attr, _join(base_url, value))
        for attr in _SRCSET_ATTRS:
            value = element.get(attr)
            if value:
                element.set(attr, _absolute_srcset(base_url, value))


def _join(base_url: str, value: str) -> str:
    try:
        return urljoin(base_url, value.strip())
    except ValueError:
        return value


def _absolute_srcset(base_url: str, srcset: str) -> str:
    out = []
    for candidate in srcset.split(","):
        parts = candidate.strip().split(None, 1)
        if parts:
            parts[0] = _join(base_url, parts[0])
            out.append(" ".join(parts))
    return ", ".join(out)


def _first(tree: HtmlElement, *paths: str) -> str | None:
    for path in paths:
        try:
            found = tree.xpath(path)
        except etree.XPathError:
            continue
        for value in found if isinstance(found, list) else []:
            text = str(value).strip()
            if text:
                return text
    return None


def _html_lang(tree: HtmlElement) -> str | None:
    # The HTML parser keeps xml:lang as a plain attribute name, not in the XML namespace.
    for attr in ("lang", "xml:lang", "{http://www.w3.org/XML/1998/namespace}lang"):
        value = (tree.get(attr) or "").strip()
        if value:
            return value
    return None


def _meta(tree: HtmlElement, attr: str, name: str) -> str | None:
    for meta in tree.iter("meta"):
        if (meta.get(attr) or "").strip().lower() == name:
            content = " ".join((meta.get("content") or "").split())
            if content:
                return content
    return None


def _text(element: HtmlElement | None) -> str | None:
    if element is None:
        return None
    text = " ".join(element.text_content().split())
    return text or None
