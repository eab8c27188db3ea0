from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from ..rules.templates import MODULES, QUOTA_NAMES
from .base import Input, View

_NAME_DOC = "A display name, 1-100 characters."
_TEMPLATE_DESCRIPTION_DOC = "What the template is for, in a sentence (plain text)."
_CARD_DOC = "The card layout id for pages of this template, as the built-in ones use: 'default', 'post', 'product', 'faq'."
_SCHEMA_ORG_TYPE_DOC = "The schema.org type the site declares for these pages, e.g. 'Article', 'Product', 'FAQPage'."
_SLUG_INSTRUCTIONS_DOC = "Guidance for choosing slugs of this template, for people and assistants (plain text)."
_FIELDS_DOC = "The metadata fields of pages of this template, in order (replaces the whole list)."


class FieldDef(Input):
    name: str = Field(description="The metadata key in snake_case, e.g. 'difficulty' (a-z, 0-9 and '_', up to 64).")
    type: Literal["string", "number", "boolean", "date", "array"] = Field(
        description="The value's type: 'string', 'number', 'boolean', 'date' (YYYY-MM-DD) or 'array'."
    )
    required: bool = Field(default=False, description="True: a draft cannot be approved without it.")
    schema_org: str = Field(
        default="", description="The schema.org property it fills on the site, e.g. 'datePublished'; '' for none."
    )
    instructions: str = Field(default="", description="How to fill it in, for people and assistants.")


class DocTemplateCreate(Input):
    id: str = Field(description="Template id, e.g. 'recipe'.")
    name: str = Field(min_length=1, max_length=100, description=_NAME_DOC)
    description: str = Field(default="", description=_TEMPLATE_DESCRIPTION_DOC)
    card_template_id: str = Field(default="default", description=_CARD_DOC)
    schema_org_type: str = Field(default="Article", description=_SCHEMA_ORG_TYPE_DOC)
    slug_instructions: str = Field(default="", description=_SLUG_INSTRUCTIONS_DOC)
    fields: list[FieldDef] = Field(default=[], description=_FIELDS_DOC)


class DocTemplateUpdate(Input):
    name: str | None = Field(default=None, description=_NAME_DOC)
    description: str | None = Field(default=None, description=_TEMPLATE_DESCRIPTION_DOC)
    card_template_id: str | None = Field(default=None, description=_CARD_DOC)
    schema_org_type: str | None = Field(default=None, description=_SCHEMA_ORG_TYPE_DOC)
    slug_instructions: str | None = Field(default=None, description=_SLUG_INSTRUCTIONS_DOC)
    fields: list[FieldDef] | None = Field(default=None, description=_FIELDS_DOC)


class DocTemplateView(View):
    id: str
    name: str
    description: str
    card_template_id: str
    schema_org_type: str
    slug_instructions: str
    fields: list[FieldDef]
    builtin: bool
    deleted: bool


_DOC_TEMPLATE_IDS_DOC = "Doc template ids projects of this template may use, e.g. ['docs', 'faq']."
_MODULE_IDS_DOC = f"Modules projects of this template may turn on, from: {', '.join(MODULES)}."
_DEFAULT_MODULES_DOC = "The modules a new project starts with (a subset of module_ids)."
_QUOTAS_DOC = (
    "Quotas per plan tier, as {tier: {quota: value}}, e.g. {\"trial\": {\"max_pages\": 200}}; quotas: "
    f"{', '.join(QUOTA_NAMES)}."
)
_TRIAL_DAYS_DOC = "How many days a new project's trial lasts (0-365)."


class ProjectTemplateCreate(Input):
    id: str = Field(description="Template id: 1-49 characters of a-z, 0-9 and '-', e.g. 'help-center'.")
    name: str = Field(min_length=1, max_length=100, description=_NAME_DOC)
    description: str = Field(default="", description=_TEMPLATE_DESCRIPTION_DOC)
    doc_template_ids: list[str] = Field(description=_DOC_TEMPLATE_IDS_DOC)
    module_ids: list[str] = Field(description=_MODULE_IDS_DOC)
    default_modules: list[str] = Field(default=[], description=_DEFAULT_MODULES_DOC)
    quotas: dict[str, dict[str, int]] = Field(default_factory=dict, description=_QUOTAS_DOC)
    trial_days: int = Field(default=14, ge=0, le=365, description=_TRIAL_DAYS_DOC)


class ProjectTemplateUpdate(Input):
    name: str | None = Field(default=None, description=_NAME_DOC)
    description: str | None = Field(default=None, description=_TEMPLATE_DESCRIPTION_DOC)
    doc_template_ids: list[str] | None = Field(default=None, description=_DOC_TEMPLATE_IDS_DOC)
    module_ids: list[str] | None = Field(default=None, description=_MODULE_IDS_DOC)
    default_modules: list[str] | None = Field(default=None, description=_DEFAULT_MODULES_DOC)
    quotas: dict[str, dict[str, int]] | None = Field(default=None, description=_QUOTAS_DOC)
    trial_days: int | None = Field(default=None, ge=0, le=365, description=_TRIAL_DAYS_DOC)


class ProjectTemplateView(View):
    id: str
    name: str
    description: str
    doc_template_ids: list[str]
    module_ids: list[str]
    default_modules: list[str]
    quotas: dict[str, dict[str, int]]
    trial_days: int
    builtin: bool
    deleted: bool
    created_at: datetime


class ProjectTemplatesUpdate(Input):
    doc_template_ids: list[str] = Field(description="Doc templates this project uses (must be allowed).")


class TemplateAssignment(View):
    project_id: str
    project_template_id: str
    doc_template_ids: list[str] = Field(description="The doc templates the project keeps under its new template.")
