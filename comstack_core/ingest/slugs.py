"""Slug suggestions for an ingested page, valid under ``rules/slugs.py``.

From the URL path when it names the page: ``https://help.example.com/en/articles/Reset-Password.html``
-> ``articles/reset-password`` (a leading locale segment, file extensions and a trailing ``index`` go,
at most the last ``MAX_SEGMENTS`` segments are kept, each folded to ASCII ``a-z0-9-``). A path that
names nothing (the site's home, a last segment with no letter such as ``/p/12345``, a script whose
query string picks the page such as ``/viewpage.action?pageId=9``) gives the title's slug there. Uniqueness needs the project's taken slugs: ``free_slug`` adds ``-2``, ``-3``, ...
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container
from urllib.parse import unquote, urlsplit

from ..rules.slugs import MAX_SLUG_LENGTH, validate_slug

MAX_SEGMENTS = 3
MAX_SEGMENT_LENGTH = 60
FALLBACK_SLUG = "imported-page"
_EXTENSIONS = re.compile(r"\.(html?|php\d?|aspx?|jspx?|cfm|shtml|xhtml|action|do|cgi|pl)$", re.IGNORECASE)
_LOCALE_SEGMENT = re.compile(r"[a-z]{2}(?:[-_][a-z]{2,4})?", re.IGNORECASE)
_INDEX = {"index", "default", "home"}


def slug_segment(text: str, max_length: int = MAX_SEGMENT_LENGTH) -> str:
    """One slug segment: accents folded (é -> e), anything else than a-z0-9 becomes '-'."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    segment = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    if len(segment) > max_length:
        cut = segment[:max_length]
        segment = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return segment.strip("-")


def suggest_slug(url: str, title: str | None = None) -> str:
    parts = urlsplit(url)
    segments = [unquote(part) for part in parts.path.split("/") if part]
    if segments and parts.query and _EXTENSIONS.search(segments[-1]) and title:
        # /viewpage.action?pageId=9 or /index.php?p=12: a script name; the query picks the page.
        segments[-1] = title
    elif segments:
        segments[-1] = _EXTENSIONS.sub("", segments[-1])
    if len(segments) > 1 and _LOCALE_SEGMENT.fullmatch(segments[0]):
        segments = segments[1:]
    if segments and segments[-1].lower() in _INDEX and segments[-1] != title:
        segments = segments[:-1]
    slugged = [slug_segment(part) for part in segments]
    slugged = [part for part in slugged if part][-MAX_SEGMENTS:]
    title_slug = slug_segment(title or "")
    if slugged and not re.search(r"[a-z]", slugged[-1]):
        # /p/12345 names a record, not a page: the title says more.
        slugged[-1] = title_slug or slugged[-1]
    if not slugged:
        slugged = [title_slug or FALLBACK_SLUG]
    return validate_slug("/".join(slugged)[:MAX_SLUG_LENGTH].strip("/-"))


def free_slug(slug: str, taken: Container[str]) -> str:
    """``slug`` if no page of the project has it, else the first free ``slug-2``, ``slug-3``, ..."""
    validate_slug(slug)
    if slug not in taken:
        return slug
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = slug[: MAX_SLUG_LENGTH - len(suffix)].rstrip("-/") + suffix
        if candidate not in taken:
            return validate_slug(candidate)
        n += 1
