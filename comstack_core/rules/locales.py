"""BCP-47 locale tags and the project's locale invariants (SPEC §1)."""

from __future__ import annotations

import re
from typing import Any

from ..errors import InvalidInput, LocaleConfigDrift

_TAG = re.compile(r"[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|[0-9]{3}))?")
LOCALE_MODULES = ("knowledge_base", "custom_pages")


def normalize_locale(tag: object) -> str:
    """Accept case variants (``es-mx``) and return the canonical form (``es-MX``)."""
    if not isinstance(tag, str) or not tag:
        raise InvalidInput("A locale must be a BCP-47 tag such as 'en' or 'es-MX'.", code="invalid_locale")
    parts = tag.replace("_", "-").split("-")
    canon = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4:
            canon.append(part.title())
        else:
            canon.append(part.upper())
    value = "-".join(canon)
    if not _TAG.fullmatch(value):
        raise InvalidInput(
            f"{tag!r} is not a supported BCP-47 locale tag; use a language code with an optional region, "
            "such as 'en', 'de' or 'es-MX'.",
            code="invalid_locale",
        )
    return value


def base_language(tag: str) -> str:
    return tag.split("-")[0].lower()


def url_prefix(tag: str, default_locale: str) -> str:
    """Site URL prefix: none for the default locale, the short language code otherwise."""
    return "" if tag == default_locale else base_language(tag)


def module_locales(modules: dict[str, Any], module: str) -> list[str]:
    config = modules.get(module) or {}
    return list(config.get("locales") or [])


def enabled(modules: dict[str, Any], module: str) -> bool:
    return bool((modules.get(module) or {}).get("enabled"))


def project_locales(default_locale: str, modules: dict[str, Any]) -> list[str]:
    seen = [default_locale]
    for module in LOCALE_MODULES:
        if enabled(modules, module):
            for tag in module_locales(modules, module):
                if tag not in seen:
                    seen.append(tag)
    return seen


def check_locale_invariants(default_locale: str, modules: dict[str, Any]) -> None:
    """Raise LocaleConfigDrift naming every broken rule, or return quietly."""
    violations: list[str] = []
    on = [m for m in LOCALE_MODULES if enabled(modules, m)]
    for module in on:
        if default_locale not in module_locales(modules, module):
            violations.append(
                f"default locale {default_locale} is missing from modules.{module}.locales"
            )
    if "knowledge_base" in on and "custom_pages" in on:
        extra = [t for t in module_locales(modules, "knowledge_base") if t not in module_locales(modules, "custom_pages")]
        if extra:
            violations.append(
                "knowledge locales must be a subset of custom-page locales; not in custom_pages: " + ", ".join(extra)
            )
    by_base: dict[str, set[str]] = {}
    for tag in [default_locale, *[t for m in LOCALE_MODULES for t in module_locales(modules, m)]]:
        by_base.setdefault(base_language(tag), set()).add(tag)
    for base, tags in sorted(by_base.items()):
        if len(tags) > 1:
            violations.append(
                f"two variants of language '{base}' cannot coexist: {', '.join(sorted(tags))}"
            )
    if violations:
        raise LocaleConfigDrift(violations)
