"""Inputs and views of importing a docs tree and of git sync."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from .base import NAME_ECHO_DOC, Input, View
from .publishing import PublishDryRun, PublishStarted

PageAction = Literal[
    "create", "update", "unchanged", "approve", "conflict", "failed", "removed", "unpublished", "deleted"
]


class ImportRequest(Input):
    plan_only: bool = Field(
        default=False, description="Only say what would be created, updated or skipped; write nothing."
    )
    approve: bool = Field(
        default=False,
        description="Approve the imported drafts (status ready) so the next publish puts them live.",
    )
    unpublish_removed: bool = Field(
        default=False,
        description="Take down pages whose file is gone from the tree (a draft never published is deleted). "
        "Without it they are only reported.",
    )
    language: str | None = Field(
        default=None, description="Language of pages that name none; default: the project's."
    )
    include_drafts: bool = Field(default=False, description="Also import files marked 'draft: true'.")


class ImportNoteView(View):
    line: int | None
    kind: str
    code: str
    message: str


class ImportFileView(View):
    path: str
    status: Literal["imported", "converted", "skipped", "failed"]
    code: str = ""
    reason: str = ""
    slug: str | None = None
    language: str | None = None
    notes: list[ImportNoteView] = Field(default_factory=list)


class ImportPageView(View):
    slug: str
    language: str
    source_path: str
    action: PageAction
    path: str | None = Field(default=None, description="The page's stable id, when it exists.")
    title: str | None = None
    reason: str = ""


class ImportGroupView(View):
    title: str
    page_slugs: list[str]
    action: Literal["create", "update", "unchanged", "skipped"]


class ImportReport(View):
    project_id: str
    kind: Literal["mkdocs", "hugo", "docusaurus", "plain"]
    site_name: str | None
    applied: bool = Field(description="False for a plan: nothing was written.")
    counts: dict[str, int]
    pages: list[ImportPageView]
    navigation: list[ImportGroupView]
    files: list[ImportFileView]
    notes: list[ImportNoteView]
    written: list[str] = Field(
        description="Ids of the pages this import wrote (drafts, approvals, take-downs)."
    )

    @property
    def failed(self) -> list[ImportFileView]:
        return [f for f in self.files if f.status == "failed"]


class GitConnect(Input):
    url: str = Field(
        min_length=1,
        max_length=2000,
        description="https:// URL of the repository, e.g. https://github.com/acme/docs.git.",
    )
    branch: str = Field(default="main", min_length=1, max_length=250, description="The branch to import.")
    folder: str = Field(
        default="", max_length=1000, description="Folder inside the repository holding the docs ('' = all)."
    )
    token: str | None = Field(
        default=None,
        max_length=1000,
        description="Access token for a private repository. Stored, never shown again.",
    )
    webhook_secret: str | None = Field(
        default=None,
        max_length=1000,
        description="Shared secret of the repository's push webhook (HMAC / GitLab token). Stored, never shown again.",
    )
    auto_publish: bool = Field(
        default=False,
        description="A verified push to the branch also confirms the publish (no one reviews it).",
    )


class GitConnectionView(View):
    url: str
    branch: str
    folder: str
    has_token: bool
    has_webhook_secret: bool
    auto_publish: bool
    webhook_url: str
    last_commit: str | None
    last_pull_at: datetime | None


class GitPull(Input):
    project_name: str = Field(description=NAME_ECHO_DOC)
    unpublish_removed: bool = Field(
        default=False, description="Take down pages whose file was removed from the repository folder."
    )


class GitPullResult(View):
    commit: str
    previous_commit: str | None
    report: ImportReport
    publish: PublishDryRun | None = Field(
        description="The dry run: show its manifest, then call publish-confirm with its token. None when there is "
        "nothing to publish."
    )
    message: str


class WebhookResult(View):
    action: Literal["pulled", "published", "ignored"]
    reason: str
    commit: str | None = None
    publish: PublishStarted | None = None
    counts: dict[str, int] = Field(default_factory=dict)
