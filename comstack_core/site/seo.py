"""Structured data for search engines: JSON-LD from the doc template's schema.org mapping."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from .model import SitePage

# schema.org types of the nested objects our templates map into (dotted names like offers.price).
_NESTED_TYPES = {
    "offers": "Offer",
    "aggregateRating": "AggregateRating",
    "brand": "Brand",
    "author": "Person",
    "publisher": "Organization",
    "review": "Review",
    "address": "PostalAddress",
    "manufacturer": "Organization",
}
# Properties whose plain-string value schema.org expects as an object with a name.
_NAMED_OBJECTS = {"author", "brand", "publisher", "manufacturer"}
_ARTICLE_TYPES = {
    "Article",
    "TechArticle",
    "BlogPosting",
    "NewsArticle",
    "ScholarlyArticle",
    "Report",
    "HowTo",
}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _value_for(prop: str, value: Any) -> Any:
    if prop == "availability" and isinstance(value, bool):
        return "https://schema.org/InStock" if value else "https://schema.org/OutOfStock"
    if prop in _NAMED_OBJECTS and isinstance(value, str):
        return {"@type": _NESTED_TYPES[prop], "name": value}
    if prop == "mainEntity":
        questions = _faq(value)
        if questions is not None:
            return questions
    return _plain(value)


def _faq(value: Any) -> list[dict[str, Any]] | None:
    if not isinstance(value, list) or not value:
        return None
    out = []
    for item in value:
        if not isinstance(item, dict) or "question" not in item:
            return None
        out.append(
            {
                "@type": "Question",
                "name": str(item.get("question", "")),
                "acceptedAnswer": {"@type": "Answer", "text": str(item.get("answer", ""))},
            }
        )
    return out


def _set(doc: dict[str, Any], dotted: str, value: Any) -> None:
    parts = [p for p in dotted.split(".") if p]
    if not parts:
        return
    node = doc
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {"@type": _NESTED_TYPES[part]} if part in _NESTED_TYPES else {}
            node[part] = child
        node = child
    node[parts[-1]] = _value_for(parts[-1], value)


def json_ld(page: SitePage, url: str, site_name: str) -> dict[str, Any]:
    kind = page.schema_org_type or "WebPage"
    doc: dict[str, Any] = {"@context": "https://schema.org", "@type": kind, "name": page.title}
    if kind in _ARTICLE_TYPES:
        doc["headline"] = page.title
    if page.description:
        doc["description"] = page.description
    doc["url"] = url
    doc["inLanguage"] = page.language
    doc["dateModified"] = page.updated_at.isoformat()
    if kind != "Product":
        doc["isPartOf"] = {"@type": "WebSite", "name": site_name}
    for field_name, prop in sorted(page.schema_org_fields.items()):
        value = page.metadata.get(field_name)
        if value is None or value == "" or value == []:
            continue
        _set(doc, prop, value)
    if kind == "FAQPage" and "mainEntity" not in doc:
        for key in ("questions", "faq"):
            questions = _faq(page.metadata.get(key))
            if questions:
                doc["mainEntity"] = questions
                break
    if kind == "Product" and isinstance(doc.get("offers"), dict):
        doc["offers"].setdefault("url", url)
    return doc


def script_json(data: Any) -> str:
    """JSON safe to place inside <script>: no '</script>' or '<!--' can end the element early."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def og_locale(tag: str) -> str:
    # Open Graph writes locales as ll_CC.
    parts = tag.replace("_", "-").split("-")
    if len(parts) >= 2 and len(parts[-1]) == 2:
        return f"{parts[0].lower()}_{parts[-1].upper()}"
    return parts[0].lower()
