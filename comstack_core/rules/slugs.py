from __future__ import annotations

import re

from ..errors import InvalidInput

MAX_SLUG_LENGTH = 200
_SEGMENT = re.compile(r"[a-z0-9-]+")
_PROJECT_SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?")


def validate_slug(slug: object) -> str:
    """Page slugs: lowercase ``[a-z0-9-]+`` segments joined by ``/``; ``index`` is the home page."""
    if not isinstance(slug, str):
        raise InvalidInput("slug must be a string such as 'guides/intro'.", code="invalid_slug")
    problem = _slug_problem(slug)
    if problem:
        raise InvalidInput(
            f"Invalid slug {slug!r}: {problem}. Use lowercase segments of a-z, 0-9 and '-' joined by '/', "
            "for example 'guides/getting-started' ('index' is the home page).",
            code="invalid_slug",
        )
    return slug


def _slug_problem(slug: str) -> str | None:
    if not slug:
        return "it is empty"
    if len(slug) > MAX_SLUG_LENGTH:
        return f"it is longer than {MAX_SLUG_LENGTH} characters"
    if slug.startswith("/") or slug.endswith("/"):
        return "it starts or ends with '/'"
    for segment in slug.split("/"):
        if not segment:
            return "it has an empty segment ('//')"
        if segment in (".", ".."):
            return "'.' and '..' segments are not allowed"
        if not _SEGMENT.fullmatch(segment):
            return f"segment {segment!r} has characters other than a-z, 0-9 and '-'"
    return None


def slugify(text: str, max_length: int = 50) -> str:
    """A project slug derived from its name (used in site URLs)."""
    lowered = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return (lowered[:max_length].strip("-")) or "project"


def validate_project_slug(slug: str) -> str:
    if not _PROJECT_SLUG.fullmatch(slug):
        raise InvalidInput(
            f"Invalid project slug {slug!r}: use 1-50 characters of a-z, 0-9 and '-', not starting or ending "
            "with '-'.",
            code="invalid_slug",
        )
    return slug
