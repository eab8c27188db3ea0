from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from .base import Input, View


class FieldDef(Input):
    name: str
    type: Literal["string", "number", "boolean", "date", "array"]
    required: bool = False
    schema_org: str = ""
    instructions: str = ""


class DocTemplateCreate(Input):
    id: str = Field(description="Template id, e.g. 'recipe'.")
    name: str = Field(min_length=1, max_length=100)
    description: str = ""
    card_template_id: str = "default"
    schema_org_type: str = "Article"
    slug_instructions: str = ""
    fields: list[FieldDef] = []


class DocTemplateUpdate(Input):
    name: str | None = None
    description: str | None = None
    card_template_id: str | None = None
    schema_org_type: str | None = None
    slug_instructions: str | None = None
    fields: list[FieldDef] | None = None


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


class ProjectTemplateCreate(Input):
    id: str
    name: str = Field(min_length=1, max_length=100)
    description: str = ""
    doc_template_ids: list[str]
    module_ids: list[str]
    default_modules: list[str] = []
    quotas: dict[str, dict[str, int]] = Field(default_factory=dict, description="{tier: {quota: value}}")
    trial_days: int = Field(default=14, ge=0, le=365)


class ProjectTemplateUpdate(Input):
    name: str | None = None
    description: str | None = None
    doc_template_ids: list[str] | None = None
    module_ids: list[str] | None = None
    default_modules: list[str] | None = None
    quotas: dict[str, dict[str, int]] | None = None
    trial_days: int | None = Field(default=None, ge=0, le=365)


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
