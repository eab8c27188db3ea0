"""What a sidebar group or header item may say: labels, icon, page slugs, targets, label locales."""

from __future__ import annotations

from typing import Any

from ..errors import InvalidInput
from ..schemas import HeaderNavItemInput, SidebarGroupInput
from .icons import validate_icon
from .locales import normalize_locale
from .slugs import validate_slug
from .urls import is_https_url


def labels(given: dict[str, str], what: str) -> dict[str, str]:
    if not given:
        raise InvalidInput(
            f"{what} needs a label for at least one locale, e.g. {{'en': 'Guides'}}.",
            code="invalid_navigation",
        )
    out = {}
    for tag, label in given.items():
        if not label.strip() or len(label) > 80:
            raise InvalidInput(f"{what} label for {tag} must be 1-80 characters.", code="invalid_navigation")
        out[normalize_locale(tag)] = label.strip()
    return out


def sidebar_group_values(data: SidebarGroupInput) -> dict[str, Any]:
    slugs = [validate_slug(s) for s in data.page_slugs]
    if len(set(slugs)) != len(slugs):
        raise InvalidInput("A sidebar group lists the same page twice.", code="invalid_navigation")
    return {
        "title": labels(data.title, "Sidebar group"),
        "icon": validate_icon(data.icon),
        "page_slugs": slugs,
    }


def header_item_values(data: HeaderNavItemInput) -> dict[str, Any]:
    target = data.target.strip()
    if target.startswith("https://"):
        if not is_https_url(target):
            raise InvalidInput(
                f"Header item target {data.target!r} is not a whole https:// URL: it needs a host, e.g. "
                "'https://example.com/pricing'.",
                code="invalid_navigation",
            )
    else:
        try:
            validate_slug(target)
        except InvalidInput:
            raise InvalidInput(
                f"Header item target {data.target!r} must be a page slug (e.g. 'pricing') or an absolute https:// URL.",
                code="invalid_navigation",
            ) from None
    return {"label": labels(data.label, "Header item"), "target": target}
