"""Markup fixes before trafilatura reads the page: the patterns of real sites it handles badly.

- Consent banners and engagement widgets (paywall prompts, like and vote buttons, review lists) are
  removed by their id/class tokens; a widget is never more than half the page's text, so an element
  that is can't be one and stays.
- Heading permalinks (``¶``, ``#``, empty ``<a>`` inside a heading) are removed: they are not text.
- ``role="heading"`` elements become ``<hN>``, as single-page apps draw headings with divs.
- A ``<summary>`` holding a heading gives up its tag (trafilatura writes such a heading twice).
- Layout tables (a whole page laid out in table cells) become plain blocks; data tables stay tables,
  and they and the wrappers holding nothing else lose their class names, which trafilatura reads as
  boilerplate hints (``nextra-scrollbar`` reads as a navigation "bar").
- Links that go nowhere (``#``, ``javascript:``) keep their text and lose the link.
- A page with no ``<main>``, ``<article>`` or ``role="main"``: the deepest element holding most of
  the page's paragraph text becomes its ``<article>``. Without a frame trafilatura recovers loose
  paragraphs only, and the page's headings and lists are lost.
"""

from __future__ import annotations

import re
from copy import deepcopy

from lxml.html import HtmlElement

_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_CONSENT = re.compile(
    r"onetrust|didomi|iubenda|cookiebot|cybotcookiebot|usercentrics|qc-cmp|truste-|osano|klaro|cookieyes|"
    r"^cky-|cmplz|borlabs|termly|cookie-?(?:banner|notice|consent|bar|popup|dialog|law|wall|box)|"
    r"(?:^|[-_])(?:consent|gdpr|lgpd)(?:$|[-_])",
    re.IGNORECASE,
)
_WIDGET = re.compile(
    r"^(?:paywall\S*|\S*-paywall|subscription-widget\S*|likes?|like-\S+|\S+-likes?|votes?|\S+-votes?|"
    r"\S+-vote|reviews?|customer-reviews|product-reviews|spr-container|review-item)$",
    re.IGNORECASE,
)
_PERMALINK_TEXT = {"", "¶", "#", "§", "🔗", "⚓", "permalink", "link"}
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"), None)
_KEEP_TAGS = {"html", "body", "main", "article"}
_BLOCKS = ("p", "div", "ul", "ol", "pre", "blockquote")
ARTICLE_SHARE = 0.6
MIN_ARTICLE_TEXT = 200


def cleaned_copy(tree: HtmlElement) -> HtmlElement:
    """A copy of the page with the fixes above; the original keeps its markup for structured data."""
    copy = deepcopy(tree)
    page_text = len(_text(copy))
    for element in [e for e in copy.iter() if isinstance(e.tag, str) and _is_widget(e)]:
        # Inside an element already removed: its root is no longer the page.
        if element.getroottree().getroot() is copy and len(_text(element)) < page_text / 2:
            element.drop_tree()
    for element in list(copy.iter()):
        if not isinstance(element.tag, str):
            continue
        tag = element.tag
        if tag == "a":
            _clean_link(element)
        elif element.get("role") == "heading" and tag not in _HEADINGS:
            level = element.get("aria-level") or "2"
            element.tag = f"h{level}" if len(level) == 1 and level in "123456" else "h2"
        elif tag == "summary" and any(True for _ in element.iter(*_HEADINGS)):
            element.drop_tag()
        elif tag == "table" and _is_layout_table(element):
            _unwrap_table(element)
        elif tag == "table":
            _unclass_table(element)
    if not copy.xpath("//main|//article|//*[@role='main']"):
        _mark_article(copy)
    return copy


def _mark_article(tree: HtmlElement) -> None:
    lengths: dict[HtmlElement, int] = {}
    total = 0
    for paragraph in tree.iter("p"):
        size = len(_text(paragraph))
        total += size
        for ancestor in paragraph.iterancestors():
            lengths[ancestor] = lengths.get(ancestor, 0) + size
    if total < MIN_ARTICLE_TEXT:
        return
    holders = [e for e, size in lengths.items() if size >= total * ARTICLE_SHARE and e.tag not in ("html", "body")]
    if holders:
        # iterancestors runs upwards, so the deepest holder was met first.
        holders[0].tag = "article"


def _is_widget(element: HtmlElement) -> bool:
    if element.tag in _KEEP_TAGS:
        return False
    tokens = [*(element.get("class") or "").split(), element.get("id") or ""]
    return any(token and (_CONSENT.search(token) or _WIDGET.match(token)) for token in tokens)


def _clean_link(link: HtmlElement) -> None:
    href = (link.get("href") or "").strip()
    in_heading = any(parent.tag in _HEADINGS for parent in link.iterancestors())
    text = _text(link).translate(_ZERO_WIDTH).strip().lower()
    if in_heading and (text in _PERMALINK_TEXT or "headerlink" in (link.get("class") or "")):
        link.drop_tree()
    elif not href or href == "#" or href.lower().startswith("javascript:"):
        link.drop_tag()


def _is_layout_table(table: HtmlElement) -> bool:
    if (table.get("role") or "").lower() in ("presentation", "none"):
        return True
    if len(table.xpath("./tr|./*/tr")) == 1:  # one row: a strip of cells side by side, not data
        return True
    for cell in table.iter("td", "th"):
        if any(True for _ in cell.iter("table", *_HEADINGS)):
            return True
        if sum(1 for child in cell if child.tag in _BLOCKS) >= 3:
            return True
    return False


def _unwrap_table(table: HtmlElement) -> None:
    for element in table.iter("table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption"):
        element.tag = "div"
        for attr in ("width", "height", "align", "valign", "cellpadding", "cellspacing", "border", "bgcolor"):
            element.attrib.pop(attr, None)


def _unclass_table(table: HtmlElement) -> None:
    element: HtmlElement | None = table
    while element is not None and element.tag not in _KEEP_TAGS:
        element.attrib.pop("class", None)
        parent = element.getparent()
        if parent is None or len([child for child in parent if isinstance(child.tag, str)]) != 1:
            return
        element = parent


def _text(element: HtmlElement) -> str:
    return " ".join(element.text_content().split())
