"""Built-in templates and the rules for template-defined metadata fields (SPEC §4)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from ..errors import InvalidInput
from .mcp_resource import KEY as MCP_RESOURCE_KEY
from .mcp_resource import mcp_resource_problems

FIELD_TYPES = ("string", "number", "boolean", "date", "array")
CUSTOM_PAGE_TEMPLATE = "custom-page"
MODULES = (
    "knowledge_base",
    "custom_pages",
    "website",
    "voice_web",
    "voice_phone",
    "whatsapp",
    "github_sync",
    "chrome_ingest",
    "api_keys",
)
QUOTA_NAMES = (
    "max_pages", "max_locales", "max_members", "max_numbers", "max_keys", "max_sessions_per_day", "max_image_mb"
)
_TEMPLATE_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,48}")


def _field(name: str, type_: str, required: bool = False, schema_org: str = "", instructions: str = "") -> dict[str, Any]:
    return {"name": name, "type": type_, "required": required, "schema_org": schema_org, "instructions": instructions}


BUILTIN_DOC_TEMPLATES: list[dict[str, Any]] = [
    {
        "id": "docs",
        "name": "Documentation",
        "description": "A knowledge article: how-tos, guides, reference.",
        "card_template_id": "default",
        "schema_org_type": "TechArticle",
        "slug_instructions": "Group by topic: 'guides/<topic>', 'reference/<thing>'.",
        "fields": [
            _field("keywords", "array", schema_org="keywords", instructions="Search keywords."),
            _field("updated", "date", schema_org="dateModified", instructions="Date the facts were checked."),
        ],
    },
    {
        "id": "blog",
        "name": "Blog post",
        "description": "A dated article with an author.",
        "card_template_id": "post",
        "schema_org_type": "BlogPosting",
        "slug_instructions": "'blog/<short-title>'.",
        "fields": [
            _field("author", "string", required=True, schema_org="author", instructions="Who wrote it."),
            _field("published", "date", required=True, schema_org="datePublished", instructions="YYYY-MM-DD."),
            _field("tags", "array", schema_org="keywords"),
        ],
    },
    {
        "id": "product",
        "name": "Product",
        "description": "A product or service with a price.",
        "card_template_id": "product",
        "schema_org_type": "Product",
        "slug_instructions": "'products/<name>'.",
        "fields": [
            _field("sku", "string", schema_org="sku"),
            _field("price", "number", required=True, schema_org="offers.price", instructions="Price as a number."),
            _field("currency", "string", schema_org="offers.priceCurrency", instructions="ISO 4217, e.g. EUR."),
            _field("brand", "string", schema_org="brand"),
            _field("in_stock", "boolean", schema_org="offers.availability"),
        ],
    },
    {
        "id": "faq",
        "name": "FAQ",
        "description": "Questions and answers; the voice agent quotes these directly.",
        "card_template_id": "faq",
        "schema_org_type": "FAQPage",
        "slug_instructions": "'faq/<topic>'.",
        "fields": [
            _field("questions", "array", schema_org="mainEntity", instructions="List of {question, answer}."),
        ],
    },
    {
        "id": CUSTOM_PAGE_TEMPLATE,
        "name": "Custom page",
        "description": "A free-form HTML (or Astro) page shipped inside the site shell.",
        "card_template_id": "default",
        "schema_org_type": "WebPage",
        "slug_instructions": "Landing pages: 'pricing', 'about', 'index'.",
        "fields": [],
    },
]

_DEFAULT_QUOTAS = {
    "trial": {"max_pages": 200, "max_locales": 2, "max_members": 3, "max_numbers": 0, "max_keys": 3,
              "max_sessions_per_day": 20, "max_image_mb": 200},
    "standard": {"max_pages": 5000, "max_locales": 10, "max_members": 50, "max_numbers": 5, "max_keys": 25,
                 "max_sessions_per_day": 500, "max_image_mb": 5000},
}

# What a project gets when its creation names no template.
DEFAULT_PROJECT_TEMPLATE = "knowledge-site"

BUILTIN_PROJECT_TEMPLATES: list[dict[str, Any]] = [
    {
        "id": "knowledge-site",
        "name": "Knowledge site",
        "description": "A documentation / help-center site with llms.txt.",
        "doc_template_ids": ["docs", "blog", "faq", "custom-page"],
        "module_ids": ["knowledge_base", "custom_pages", "website", "github_sync", "chrome_ingest", "api_keys"],
        "default_modules": ["knowledge_base", "custom_pages", "website", "api_keys"],
        "quotas": _DEFAULT_QUOTAS,
        "trial_days": 14,
    },
    {
        "id": "business-voice",
        "name": "Business with voice",
        "description": "A business site whose knowledge also powers a phone and browser voice agent.",
        "doc_template_ids": ["docs", "faq", "product", "custom-page"],
        "module_ids": list(MODULES),
        "default_modules": ["knowledge_base", "custom_pages", "website", "voice_web", "api_keys"],
        "quotas": _DEFAULT_QUOTAS,
        "trial_days": 14,
    },
]


def validate_template_id(value: str) -> str:
    if not _TEMPLATE_ID.fullmatch(value):
        raise InvalidInput(
            f"Invalid template id {value!r}: use 1-49 characters of a-z, 0-9 and '-'.", code="invalid_template_id"
        )
    return value


def validate_field_defs(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    out = []
    for i, f in enumerate(fields, 1):
        name = f.get("name")
        if not isinstance(name, str) or not re.fullmatch(r"[a-z_][a-z0-9_]{0,63}", name):
            raise InvalidInput(f"Field {i}: name must be snake_case (a-z, 0-9, _).", code="invalid_template")
        if name in seen:
            raise InvalidInput(f"Field {i}: duplicate name {name!r}.", code="invalid_template")
        if name == MCP_RESOURCE_KEY:
            raise InvalidInput(
                f"Field {i}: {name!r} is reserved for the block that lists a live page as an MCP resource.",
                code="invalid_template",
            )
        seen.add(name)
        if f.get("type") not in FIELD_TYPES:
            raise InvalidInput(
                f"Field {name!r}: type must be one of {', '.join(FIELD_TYPES)}.", code="invalid_template"
            )
        out.append(
            {
                "name": name,
                "type": f["type"],
                "required": bool(f.get("required", False)),
                "schema_org": str(f.get("schema_org") or ""),
                "instructions": str(f.get("instructions") or ""),
            }
        )
    return out


def _type_ok(type_: str, value: Any) -> bool:
    if type_ == "string":
        return isinstance(value, str)
    if type_ == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if type_ == "boolean":
        return isinstance(value, bool)
    if type_ == "array":
        return isinstance(value, list)
    if type_ == "date":
        if not isinstance(value, str):
            return False
        # A whole ISO 8601 date or datetime; parsing only value[:10] let "2024-05-01 or so" through.
        for parse in (date.fromisoformat, datetime.fromisoformat):
            try:
                parse(value)
            except ValueError:
                continue
            return True
        return False
    return False


def check_metadata_types(fields: list[dict[str, Any]], metadata: dict[str, Any]) -> None:
    """Wrong types are refused at save, every one named. Unknown keys are free-form and allowed, except
    the reserved ``mcp_resource`` block, whose shape is checked here too."""
    errors = mcp_resource_problems(metadata)
    for f in fields:
        name = f["name"]
        if name in metadata and metadata[name] is not None and not _type_ok(f["type"], metadata[name]):
            hint = " (YYYY-MM-DD)" if f["type"] == "date" else ""
            errors.append(f"{name}: expected {f['type']}{hint}, got {type(metadata[name]).__name__}")
    if errors:
        raise InvalidInput(
            "Metadata does not match the page's template: " + "; ".join(errors) + ".",
            code="invalid_metadata",
            field_errors=errors,
        )


def missing_required(fields: list[dict[str, Any]], metadata: dict[str, Any]) -> list[str]:
    return [
        f["name"] for f in fields if f.get("required") and metadata.get(f["name"]) in (None, "", [])
    ]


def default_quota(tier: str, name: str) -> int:
    """A quota's built-in value for a tier (plans written before the quota existed fall back to it)."""
    return int(_DEFAULT_QUOTAS.get(tier, _DEFAULT_QUOTAS["trial"]).get(name, 0))
