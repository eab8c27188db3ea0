"""Every table, imported here so ``SQLModel.metadata`` is complete for migrations."""

from __future__ import annotations

from .audit import AuditEntry
from .feedback import Feedback
from .identity import Account, User
from .images import Image
from .imports import GitConnection, ImportSource
from .ingest import Capture
from .installation import InstallationSetting
from .live import LivePhoneNumber, LiveSession, LiveTurn, LiveUsage
from .navigation import HeaderNavItem, SidebarGroup
from .oauth import OAuthClient, OAuthCode, OAuthGrant, OAuthRequest, OAuthToken
from .pages import Page, PageRevision
from .projects import ApiKey, Domain, Member, Project
from .publishing import Publish, PublishPromotion, PublishToken, TranslationTask
from .templates import DocTemplate, ProjectTemplate

__all__ = [
    "Account",
    "ApiKey",
    "AuditEntry",
    "Capture",
    "DocTemplate",
    "Domain",
    "Feedback",
    "GitConnection",
    "HeaderNavItem",
    "Image",
    "ImportSource",
    "InstallationSetting",
    "LivePhoneNumber",
    "LiveSession",
    "LiveTurn",
    "LiveUsage",
    "Member",
    "OAuthClient",
    "OAuthCode",
    "OAuthGrant",
    "OAuthRequest",
    "OAuthToken",
    "Page",
    "PageRevision",
    "Project",
    "ProjectTemplate",
    "Publish",
    "PublishPromotion",
    "PublishToken",
    "SidebarGroup",
    "TranslationTask",
    "User",
]
