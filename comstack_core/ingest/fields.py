"""Doc templates meet the page's schema.org items: which template fits, and its fields filled.

A template fits an item when the item's schema.org type is the template's ``schema_org_type`` (best),
a subtype of it (``APIReference`` for a ``TechArticle`` template), or a sibling under ``Article``
(``NewsArticle`` for a ``BlogPosting`` template); ties go to the template whose required fields the
page fills, then to the one it fills most. Each field's ``schema_org`` name (a dotted path such as
``offers.price``) is looked up in the fitting items, JSON-LD first, then microdata, then Open Graph,
and converted to the field's type; a value that cannot be converted is left out, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import lxml.html
from lxml import etree

from ..errors import InvalidInput
from ..rules.templates import BUILTIN_DOC_TEMPLATES, CUSTOM_PAGE_TEMPLATE, check_metadata_types
from .structured import SOURCES, all_items, type_names

DEFAULT_TEMPLATE = "docs"
# The part of schema.org's type tree that the built-in and likely custom templates need.
_PARENT = {
    "Article": "CreativeWork", "BlogPosting": "SocialMediaPosting", "SocialMediaPosting": "Article",
    "LiveBlogPosting": "BlogPosting", "DiscussionForumPosting": "SocialMediaPosting",
    "NewsArticle": "Article", "OpinionNewsArticle": "NewsArticle", "ReportageNewsArticle": "NewsArticle",
    "AnalysisNewsArticle": "NewsArticle", "TechArticle": "Article", "APIReference": "TechArticle",
    "Report": "Article", "ScholarlyArticle": "Article", "HowTo": "CreativeWork", "Recipe": "HowTo",
    "FAQPage": "WebPage", "QAPage": "WebPage", "AboutPage": "WebPage", "ContactPage": "WebPage",
    "ItemPage": "WebPage", "WebPage": "CreativeWork", "CreativeWork": "Thing",
    "ProductGroup": "Product", "ProductModel": "Product", "IndividualProduct": "Product",
    "SomeProducts": "Product", "Vehicle": "Product", "Car": "Vehicle", "Product": "Thing",
    "Event": "Thing", "Organization": "Thing", "Person": "Thing", "Service": "Thing",
}
# Too general to say anything about which template fits.
_ROOTS = frozenset({"Thing", "CreativeWork", "WebPage", "WebSite"})
_SOURCE_RANK = {source: i for i, source in enumerate((*SOURCES, "page"))}
_TRUE = {"instock", "instoreonly", "onlineonly", "limitedavailability", "true", "yes", "1", "available"}
_FALSE = {"outofstock", "soldout", "discontinued", "preorder", "presale", "backorder", "false", "no", "0",
          "pending", "availablefororder"}
_NUMBER = re.compile(r"[-+]?\d[\d.,\s\u00a0\u202f']*")
_ALIASES = {"price": ("price", "lowPrice"), "author": ("author", "creator")}


@dataclass(frozen=True)
class TemplateInfo:
    id: str
    schema_org_type: str
    fields: list[dict[str, Any]]


@dataclass
class TemplateMatch:
    template: TemplateInfo
    reason: str
    fields: dict[str, Any]
    field_sources: dict[str, str]


def template_infos(templates: Iterable[Mapping[str, Any] | Any] | None = None) -> list[TemplateInfo]:
    """Doc templates as dicts (``BUILTIN_DOC_TEMPLATES``) or views (``DocTemplateView``), minus custom-page."""
    out = []
    for template in BUILTIN_DOC_TEMPLATES if templates is None else templates:
        raw = template if isinstance(template, Mapping) else template.model_dump()
        if raw["id"] == CUSTOM_PAGE_TEMPLATE or raw.get("deleted"):
            continue  # ingested pages are Markdown knowledge pages
        fields = [dict(f) if isinstance(f, Mapping) else f.model_dump() for f in raw.get("fields") or []]
        out.append(TemplateInfo(raw["id"], raw.get("schema_org_type") or "", fields))
    return out


def ancestors(type_name: str) -> list[str]:
    chain, seen = [], set()
    while type_name in _PARENT and type_name not in seen:
        seen.add(type_name)
        type_name = _PARENT[type_name]
        chain.append(type_name)
    return chain


def fit(item_type: str, template_type: str) -> int:
    """3 same type, 2 the item is a kind of the template's type, 1 siblings under Article, 0 no fit."""
    if not template_type or item_type in _ROOTS:
        return 0
    if item_type == template_type:
        return 3
    if template_type in ancestors(item_type) and template_type not in _ROOTS:
        return 2
    shared = set(ancestors(item_type)) & {template_type, *ancestors(template_type)}
    return 1 if "Article" in shared or (item_type == "Article" and "Article" in ancestors(template_type)) else 0


def choose_template(
    items: list[dict[str, Any]],
    templates: list[TemplateInfo],
    requested: str | None = None,
    page_facts: dict[str, Any] | None = None,
) -> tuple[TemplateMatch, TemplateMatch]:
    """(the suggested template, the template to fill: the requested one, or the suggestion)."""
    if not templates:
        raise InvalidInput("The project has no doc template for knowledge pages to ingest into.", code="no_template")
    candidates = all_items(items)
    scored = []
    for index, template in enumerate(templates):
        best = max(((fit(t, template.schema_org_type), item) for item in candidates for t in type_names(item)),
                   key=lambda pair: pair[0], default=(0, None))
        match = _fill(template, candidates, page_facts or {})
        required = [f["name"] for f in template.fields if f.get("required")]
        complete = all(name in match.fields for name in required)
        scored.append(((best[0], complete, len(match.fields), -index), template, best, match))
    scored.sort(key=lambda entry: entry[0], reverse=True)
    (score, _, _, _), template, (_, item), match = scored[0]
    if score == 0:
        by_id = {entry[1].id: entry for entry in scored}
        fallback = by_id.get(DEFAULT_TEMPLATE) or by_id[templates[0].id]
        template, match = fallback[1], fallback[3]
        match.reason = (
            f"No schema.org type in the page ({_types_text(candidates)}) matches a template; "
            f"'{template.id}' is the default for knowledge articles."
        )
    else:
        assert item is not None
        match.reason = _reason(template, item, score, match)
    if requested is None or requested == template.id:
        return match, match
    chosen = next((t for t in templates if t.id == requested), None)
    if chosen is None:
        raise InvalidInput(
            f"Unknown doc template {requested!r} for this project; use one of: "
            f"{', '.join(t.id for t in templates)}.",
            code="unknown_template",
        )
    filled = _fill(chosen, candidates, page_facts or {})
    filled.reason = f"Requested by the caller; the page suggests '{template.id}'."
    return match, filled


def _reason(template: TemplateInfo, item: dict[str, Any], score: int, match: TemplateMatch) -> str:
    source = {"json-ld": "JSON-LD", "microdata": "microdata", "opengraph": "Open Graph"}[item["_source"]]
    declared = "/".join(type_names(item))
    how = {3: "the schema.org type of", 2: "a kind of the schema.org type of", 1: "an article like"}[score]
    filled = f"; it fills {', '.join(sorted(match.fields))}" if match.fields else ""
    return f"The page's {source} declares {declared}, {how} template '{template.id}' ({template.schema_org_type}){filled}."


def _types_text(items: list[dict[str, Any]]) -> str:
    names = sorted({name for item in items for name in type_names(item)})
    return ", ".join(names) if names else "none declared"


def _fill(template: TemplateInfo, items: list[dict[str, Any]], page_facts: dict[str, Any]) -> TemplateMatch:
    def rank(item: dict[str, Any]) -> int:
        best = max((fit(t, template.schema_org_type) for t in type_names(item)), default=0)
        # Not the template's kind but of the same family (a Recipe for a BlogPosting template: both
        # CreativeWork): its generic properties (author, datePublished) still describe the page.
        return best or (1 if _same_family(item, template.schema_org_type) else 0) - 1

    fitting = [item for item in items if rank(item) >= 0]
    # Best fitting items first, by source; page facts (meta tags, byline) are the last resort.
    fitting.sort(key=lambda item: (-rank(item), _SOURCE_RANK[item["_source"]]))
    fitting.append({**page_facts, "_source": "page"})
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for spec in template.fields:
        path = str(spec.get("schema_org") or "")
        if not path:
            continue
        for item in fitting:
            value = convert(lookup(item, path.split(".")), spec["type"])
            if value is not None:
                try:
                    check_metadata_types([spec], {spec["name"]: value})
                except InvalidInput:
                    continue
                values[spec["name"]] = value
                sources[spec["name"]] = item["_source"]
                break
    return TemplateMatch(template, "", values, sources)


def _same_family(item: dict[str, Any], template_type: str) -> bool:
    families = {a for a in ancestors(template_type) if a != "Thing"} | {template_type}
    return any(families & {t, *ancestors(t)} - {"Thing"} for t in type_names(item))


def lookup(value: Any, keys: list[str]) -> Any:
    """A dotted schema.org path in an item; lists (several offers) give their first match."""
    if not keys:
        return value
    if isinstance(value, list):
        for entry in value:
            found = lookup(entry, keys)
            if found not in (None, "", []):
                return found
        return None
    if not isinstance(value, dict):
        return None
    for key in _ALIASES.get(keys[0], (keys[0],)):
        found = lookup(value.get(key), keys[1:])
        if found not in (None, "", []):
            return found
    return None


def convert(value: Any, field_type: str) -> Any:
    if value in (None, "", []):
        return None
    if field_type == "string":
        return _string(value)
    if field_type == "number":
        return _number(value)
    if field_type == "boolean":
        return _boolean(value)
    if field_type == "date":
        return _date(value)
    if field_type == "array":
        return _array(value)
    return None


def plain(text: str) -> str:
    """Text from a value that may hold HTML (JSON-LD answers often do)."""
    if "<" in text and ">" in text:
        with suppress(etree.ParserError, ValueError):
            text = lxml.html.fragment_fromstring(text, create_parent="div").text_content()
    return " ".join(text.split())


def _string(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return plain(value) or None
    if isinstance(value, dict):
        for key in ("name", "text", "value", "@value"):
            if isinstance(value.get(key), str):
                return plain(value[key]) or None
        return None
    if isinstance(value, list):
        parts = [part for part in (_string(v) for v in value) if part]
        return ", ".join(dict.fromkeys(parts)) or None
    return None


def _number(value: Any) -> float | int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, dict):
        return _number(value.get("value") or value.get("price"))
    if isinstance(value, list):
        return _number(value[0]) if value else None
    if not isinstance(value, str):
        return None
    found = _NUMBER.search(value)
    if not found:
        return None
    digits = re.sub(r"[\s\u00a0\u202f']", "", found.group(0)).rstrip(".,")
    if "," in digits and "." in digits:  # the later one is the decimal mark: 1,299.00 / 1.299,00
        thousands = "," if digits.rfind(",") < digits.rfind(".") else "."
        digits = digits.replace(thousands, "").replace(",", ".")
    elif "," in digits:  # 59,90 is a decimal comma; 1,299 is thousands
        head, _, tail = digits.rpartition(",")
        digits = f"{head.replace(',', '')}.{tail}" if len(tail) != 3 else digits.replace(",", "")
    elif digits.count(".") > 1:
        digits = digits.replace(".", "")
    try:
        number = float(digits)
    except ValueError:
        return None
    return int(number) if number.is_integer() and "." not in digits else number


def _boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, list):
        return _boolean(value[0]) if value else None
    if isinstance(value, dict):
        return _boolean(value.get("@id") or value.get("name"))
    if not isinstance(value, str):
        return None
    word = re.sub(r"[^a-z0-9]", "", value.rstrip("/").rsplit("/", 1)[-1].lower())
    return True if word in _TRUE else False if word in _FALSE else None


def _date(value: Any) -> str | None:
    if isinstance(value, list):
        return _date(value[0]) if value else None
    if isinstance(value, dict):
        return _date(value.get("@value"))
    if not isinstance(value, str):
        return None
    text = value.strip().replace("Z", "+00:00")
    for parse in (datetime.fromisoformat, date.fromisoformat):
        try:
            return parse(text).strftime("%Y-%m-%d")
        except ValueError:
            continue
    return None


def _array(value: Any) -> list[Any] | None:
    if isinstance(value, str):
        parts = [plain(part) for part in value.split(",")]
        return [part for part in parts if part] or None
    entries = value if isinstance(value, list) else [value]
    out: list[Any] = []
    for entry in entries:
        if isinstance(entry, dict) and "Question" in type_names(entry):
            question = _string(entry.get("name") or entry.get("text"))
            answer = _string(lookup(entry, ["acceptedAnswer", "text"]) or lookup(entry, ["suggestedAnswer", "text"]))
            if question and answer:
                out.append({"question": question, "answer": answer})
        else:
            text = _string(entry)
            if text:
                out.append(text)
    return out or None
