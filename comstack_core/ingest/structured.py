"""Structured data in the page: JSON-LD, microdata (through extruct) and Open Graph, as schema.org items.

Every source ends up in one shape, JSON-LD's: ``{"@type": [...], "name": ..., "offers": {...}}``, with
``"_source"`` saying where it came from, so template fields are looked up the same way whatever the
page used. Open Graph properties are mapped to their schema.org names (``article:published_time`` ->
``datePublished``, ``product:price:amount`` -> ``offers.price``, ...).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

import extruct
from lxml.html import HtmlElement

log = logging.getLogger(__name__)

SOURCES = ("json-ld", "microdata", "opengraph")
MAX_DEPTH = 8  # nesting kept from a page's JSON-LD; deeper parts are cut (a page controls this input)

# Open Graph / Facebook product properties -> schema.org paths.
_OG_PATHS = {
    "og:title": "name",
    "og:description": "description",
    "og:image": "image",
    "og:url": "url",
    "article:published_time": "datePublished",
    "article:modified_time": "dateModified",
    "og:updated_time": "dateModified",
    "article:author": "author",
    "article:tag": "keywords",
    "article:section": "articleSection",
    "product:price:amount": "offers.price",
    "og:price:amount": "offers.price",
    "product:price:currency": "offers.priceCurrency",
    "og:price:currency": "offers.priceCurrency",
    "product:availability": "offers.availability",
    "og:availability": "offers.availability",
    "product:brand": "brand",
    "og:brand": "brand",
    "product:retailer_item_id": "sku",
}
_OG_TYPES = {"article": "Article", "product": "Product", "product.item": "Product", "website": "WebPage",
             "book": "Book", "profile": "ProfilePage"}
_LIST_PATHS = frozenset({"keywords", "author"})


@dataclass
class StructuredData:
    items: list[dict[str, Any]] = field(default_factory=list)
    json_ld_types: list[str] = field(default_factory=list)
    microdata_types: list[str] = field(default_factory=list)
    open_graph: dict[str, str | list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def type_names(item: dict[str, Any]) -> list[str]:
    """``@type`` as a list of local names: 'https://schema.org/Product' and 'schema:Product' -> 'Product'."""
    raw = item.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    out = []
    for value in values:
        if isinstance(value, str) and value.strip():
            out.append(value.strip().rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1].rsplit("#", 1)[-1])
    return out


def read_structured_data(tree: HtmlElement, base_url: str) -> StructuredData:
    data = StructuredData()
    for item in _json_ld(tree, data.notes):
        data.items.append({**item, "_source": "json-ld"})
    for item in _extruct(tree, base_url, "microdata", data.notes):
        data.items.append({**item, "_source": "microdata"})
    for og in _extruct(tree, base_url, "opengraph", data.notes):
        for key, value in og.items():
            if key == "@type":  # extruct moves og:type there
                data.open_graph["og:type"] = value
            elif not key.startswith("@"):
                data.open_graph[key] = value
    if data.open_graph:
        data.items.append(_og_item(data.open_graph))
    for item in data.items:
        names = type_names(item)
        bucket = {"json-ld": data.json_ld_types, "microdata": data.microdata_types}.get(item["_source"])
        if bucket is not None:
            bucket.extend(name for name in names if name not in bucket)
    return data


def all_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items and the things they are about (``mainEntity``, ``about``, ``itemListElement``)."""
    out: list[dict[str, Any]] = []
    for item in items:
        out.append(item)
        for key in ("mainEntity", "about"):
            for inner in _as_list(item.get(key)):
                if isinstance(inner, dict) and type_names(inner) and "Question" not in type_names(inner):
                    out.append({**inner, "_source": item["_source"]})
    return out


def _json_ld(tree: HtmlElement, notes: list[str]) -> list[dict[str, Any]]:
    # One script at a time: extruct drops every block of the page when one of them is invalid.
    out: list[dict[str, Any]] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").split(";")[0].strip().lower() != "application/ld+json":
            continue
        text = (script.text or "").strip().removeprefix("<!--").removesuffix("-->").strip()
        if not text:
            continue
        try:
            value = json.loads(text, strict=False)
        except ValueError as error:
            notes.append(f"A JSON-LD block is not valid JSON and was skipped ({error.args[0][:80]}).")
            continue
        except RecursionError:  # nested deeper than the decoder goes: a page controls this text
            notes.append("A JSON-LD block is nested too deeply to read and was skipped.")
            continue
        out.extend(_flatten_graph(_bounded(value, MAX_DEPTH)))
    return out


def _flatten_graph(value: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for node in _as_list(value):
        if not isinstance(node, dict):
            continue
        if "@graph" in node:
            out.extend(_flatten_graph(node["@graph"]))
        if type_names(node):
            out.append(node)
    return out


def _bounded(value: Any, depth: int) -> Any:
    if depth <= 0:
        return None
    if isinstance(value, dict):
        return {str(k): _bounded(v, depth - 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_bounded(v, depth - 1) for v in value]
    return value


def _extruct(tree: HtmlElement, base_url: str, syntax: str, notes: list[str]) -> list[dict[str, Any]]:
    try:
        found = extruct.extract(
            tree, base_url=base_url, syntaxes=[syntax], uniform=True, with_og_array=True, errors="strict"
        )
    except Exception as error:  # a library parse failure on odd markup must not lose the capture
        log.info("extruct %s failed on %s: %r", syntax, base_url, error)
        notes.append(f"The page's {syntax} could not be read and was skipped.")
        return []
    return [item for item in found.get(syntax, []) if isinstance(item, dict)]


def _og_item(og: dict[str, str | list[str]]) -> dict[str, Any]:
    og_type = og.get("og:type") or ""
    og_type = og_type[0] if isinstance(og_type, list) else og_type
    item: dict[str, Any] = {"@type": _OG_TYPES.get(og_type.strip().lower(), "WebPage"), "_source": "opengraph"}
    for prop, path in _OG_PATHS.items():
        value = og.get(prop)
        if value in (None, "", []):
            continue
        if isinstance(value, list) and path not in _LIST_PATHS:
            value = value[0]
        target = item
        *parents, last = path.split(".")
        for parent in parents:
            target = target.setdefault(parent, {})
        target.setdefault(last, value)
    if "name" in item:
        item.setdefault("headline", item["name"])
    return item


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
