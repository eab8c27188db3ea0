"""Pydantic models at the edges of the core: what services take and return.

The doors use these same models for MCP tool input schemas, REST bodies and OpenAPI.
"""

from __future__ import annotations

from .identity import AccountView, MeView, UserCreate, UserView
from .keys import KeyCreate, KeyCreated, KeyView
from .navigation import (
    HeaderNavItemInput,
    HeaderNavItemView,
    NavigationUpdate,
    NavigationView,
    ReorderInput,
    SidebarGroupInput,
    SidebarGroupView,
    ThemeUpdate,
    ThemeView,
)
from .pages import (
    CustomPageUpload,
    CustomPageUploadResult,
    DraftOpen,
    DraftOpened,
    DraftSave,
    LintFindingView,
    PageCreate,
    PageFilter,
    PageList,
    PageRef,
    PageSaved,
    PageStatusUpdate,
    PageSummary,
    PageUpdate,
    PageView,
    RevisionView,
    VisibilityUpdate,
)
from .projects import (
    AuditEntryView,
    DomainCreate,
    DomainView,
    MemberAdd,
    MemberUpdate,
    MemberView,
    ModuleUpdate,
    ModuleView,
    PlanUpdate,
    ProjectCreate,
    ProjectState,
    ProjectUpdate,
    ProjectView,
    SettingsUpdate,
    SettingsView,
)
from .search import SearchHit, SearchQuery, SearchResult
from .templates import (
    DocTemplateCreate,
    DocTemplateUpdate,
    DocTemplateView,
    FieldDef,
    ProjectTemplateCreate,
    ProjectTemplateUpdate,
    ProjectTemplateView,
    ProjectTemplatesUpdate,
)

__all__ = [
    "AccountView", "AuditEntryView", "CustomPageUpload", "CustomPageUploadResult", "DocTemplateCreate",
    "DocTemplateUpdate", "DocTemplateView", "DomainCreate", "DomainView", "DraftOpen", "DraftOpened",
    "DraftSave", "FieldDef", "HeaderNavItemInput", "HeaderNavItemView", "KeyCreate", "KeyCreated", "KeyView",
    "LintFindingView", "MeView", "MemberAdd", "MemberUpdate", "MemberView", "ModuleUpdate", "ModuleView",
    "NavigationUpdate", "NavigationView", "PageCreate", "PageFilter", "PageList", "PageRef", "PageSaved",
    "PageStatusUpdate", "PageSummary", "PageUpdate", "PageView", "PlanUpdate", "ProjectCreate",
    "ProjectState", "ProjectTemplateCreate", "ProjectTemplateUpdate", "ProjectTemplateView",
    "ProjectTemplatesUpdate", "ProjectUpdate", "ProjectView", "ReorderInput", "RevisionView", "SearchHit",
    "SearchQuery", "SearchResult", "SettingsUpdate", "SettingsView", "SidebarGroupInput", "SidebarGroupView",
    "ThemeUpdate", "ThemeView", "UserCreate", "UserView", "VisibilityUpdate",
]
