"""The few REST-only shapes: query strings, small bodies, the error body and the health answer.

Everything else is the core's own schema models (``comstack_core.schemas``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from comstack_core.backup.schedule import BackupRun
from comstack_core.schemas import SearchQuery
from comstack_core.schemas.base import Input, View
from comstack_core.schemas.projects import ProjectDelete

__all__ = [
    "AssignTemplateInput",
    "AuditQuery",
    "DiscardInput",
    "DocSearchQuery",
    "ErrorBody",
    "ProjectDelete",
    "RestoreInput",
    "StatusView",
    "TemplateListQuery",
    "VariantQuery",
]


class ErrorBody(View):
    """Every error answer: a message for a person and a stable code for a program, plus details."""

    model_config = ConfigDict(extra="allow")

    error: str
    code: str


class StatusView(View):
    status: Literal["ok"]


class ReadyView(View):
    status: Literal["ok"]
    backup: BackupRun | None = Field(
        default=None, description="The last scheduled backup, when scheduled backups are on (null before the first)."
    )


class VariantQuery(Input):
    variant: Literal["auto", "live", "draft"] = Field(
        default="auto", description="'auto' gives editors the draft when there is one, others the live page."
    )


class DocSearchQuery(SearchQuery):
    """search-docs as a query string: ``?q=`` carries the keywords."""

    query: str = Field(alias="q", min_length=1, max_length=500, description="Keywords to look for.")


class AuditQuery(Input):
    limit: int = Field(default=100, ge=1, le=1000)
    action: str | None = Field(default=None, description="Only entries of this action, e.g. 'page.update'.")


class TemplateListQuery(Input):
    include_deleted: bool = False


class RestoreInput(Input):
    base_version: int | None = Field(default=None, description="Optional: refuse if the page changed since.")


class DiscardInput(Input):
    draft_id: str = Field(description="The draft_id from edit/open (the page's path).")


class AssignTemplateInput(Input):
    template_id: str = Field(description="Project template id, e.g. 'business-voice'.")
