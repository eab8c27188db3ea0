from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import ConfigDict, Field

from ..rules.templates import DEFAULT_PROJECT_TEMPLATE
from .base import NAME_ECHO_DOC, Input, View


class ProjectCreate(Input):
    name: str = Field(min_length=1, max_length=120, description="Display name; also used for the name echo.")
    slug: str | None = Field(
        default=None, description="URL slug for the site; derived from the name if omitted."
    )
    template_id: str = Field(default=DEFAULT_PROJECT_TEMPLATE, description="Project template id.")
    default_locale: str = Field(default="en", description="BCP-47 tag of the main language.")


class ProjectUpdate(Input):
    name: str | None = Field(default=None, min_length=1, max_length=120)


class ModuleSettings(View):
    """One module's stored settings: whether it is on, its locales, and any further configuration."""

    model_config = ConfigDict(from_attributes=True, extra="allow")

    enabled: bool = False
    locales: list[str] | None = Field(
        default=None, description="BCP-47 tags (knowledge_base and custom_pages); null for other modules."
    )


class Quotas(View):
    """The plan's limits; 0 means none allowed."""

    max_pages: int = 0
    max_locales: int = 0
    max_members: int = 0
    max_numbers: int = 0
    max_keys: int = 0
    max_sessions_per_day: int = 0
    max_image_mb: int = Field(default=0, description="Image storage in MB (unset in older plans: the tier's default).")


class ProjectPlan(View):
    tier: Literal["trial", "standard"] = "trial"
    trial_ends_at: datetime | None = Field(
        default=None, description="When a trial project stops taking changes (reading still works)."
    )
    quotas: Quotas = Field(default_factory=Quotas)


class ProjectView(View):
    id: str
    account_id: str
    name: str
    slug: str
    default_locale: str
    project_template_id: str
    modules: dict[str, ModuleSettings] = Field(description="Module name -> its settings.")
    plan: ProjectPlan
    settings: dict[str, Any]
    doc_template_ids: list[str]
    site_url: str
    role: str | None = Field(default=None, description="The caller's role on this project.")
    created_at: datetime
    updated_at: datetime


class MemberAdd(Input):
    email: str = Field(min_length=3, max_length=320)
    role: Literal["viewer", "editor", "manager"] = "editor"


class MemberUpdate(Input):
    role: Literal["viewer", "editor", "manager"]


class MemberView(View):
    user_id: str
    email: str
    display_name: str
    role: str
    created_at: datetime


class DomainCreate(Input):
    hostname: str = Field(min_length=3, max_length=253)


class DomainView(View):
    id: str
    project_id: str
    hostname: str
    verified: bool
    verification_token: str
    created_at: datetime


class ModuleUpdate(Input):
    enabled: bool | None = None
    config: dict[str, Any] | None = Field(
        default=None, description="Module settings, e.g. {'locales': ['en']}."
    )


class ModuleView(View):
    name: str
    enabled: bool
    allowed: bool
    config: dict[str, Any]


class SettingsUpdate(Input):
    default_locale: str | None = None
    knowledge_locales: list[str] | None = Field(default=None, description="modules.knowledge_base.locales")
    custom_page_locales: list[str] | None = Field(default=None, description="modules.custom_pages.locales")
    site: dict[str, Any] | None = Field(default=None, description="Site settings, merged (e.g. description).")


class SettingsView(View):
    default_locale: str
    knowledge_locales: list[str]
    custom_page_locales: list[str]
    locales: list[str]
    site: dict[str, Any]


class PlanUpdate(Input):
    tier: Literal["trial", "standard"] | None = None
    trial_ends_at: datetime | None = None
    quotas: dict[str, int] | None = None


class AuditEntryView(View):
    id: str
    project_id: str | None
    actor_kind: str
    actor_id: str | None
    door: str
    action: str
    target_ids: list[str]
    detail: dict[str, Any]
    error_code: str | None
    created_at: datetime


class StateTemplate(View):
    id: str
    name: str
    required_fields: list[str] = Field(description="Metadata fields a page of this template must have.")


class StatePage(View):
    path: str
    slug: str
    language: str
    title: str
    page_type: str
    version: int
    next_action: Literal["edit", "approve", "publish", "translate", "none"]


class PagesByStatus(View):
    """Up to 200 pages per status, ordered by language and slug (``counts`` has the full numbers)."""

    draft: list[StatePage]
    ready: list[StatePage]
    live: list[StatePage]
    unpublished: list[StatePage]


class StatusCounts(View):
    draft: int
    ready: int
    live: int
    unpublished: int


class PendingSiteChanges(View):
    navigation: bool = Field(description="The navigation differs from the published site's.")
    theme: bool = Field(description="The theme differs from the published site's.")


class ProjectState(View):
    project_id: str
    name: str
    slug: str
    site_url: str
    role: str
    default_locale: str
    locales: list[str]
    translation_mode: str
    templates: list[StateTemplate]
    pages_by_status: PagesByStatus
    counts: StatusCounts
    navigation: dict[str, Any]
    pending_site_changes: PendingSiteChanges
    workflow_hint: str


class ProjectDelete(Input):
    project_name: str = Field(description=NAME_ECHO_DOC)
