"""Git sync (SPEC §14): connect a repository, then pull it in as ready drafts with a publish dry run."""

from __future__ import annotations

from typing import Any

from comstack_core import Core, Principal
from comstack_core.schemas.imports import GitConnect, GitConnectionView, GitPull, GitPullResult

from ..spec import Hints, ToolSpec
from .common import ProjectArg, part


class ConnectArgs(GitConnect, ProjectArg):
    pass


async def connect_github(core: Core, principal: Principal, args: ConnectArgs) -> GitConnectionView:
    return await core.git_sync.connect(principal, args.project_id, part(args, GitConnect))


class PullArgs(GitPull, ProjectArg):
    pass


async def pull_and_publish(core: Core, principal: Principal, args: PullArgs) -> GitPullResult:
    return await core.git_sync.pull_and_publish(principal, args.project_id, part(args, GitPull))


TOOLS: list[ToolSpec[Any]] = [
    ToolSpec(
        name="connect-github",
        title="Connect a git repository",
        description=(
            "Connects the project to a git repository for git sync (managers; module github_sync): an https:// URL "
            "(GitHub, GitLab, Gitea or any git host), the branch and the folder holding the Markdown docs, an "
            "optional access token for a private repository and an optional webhook secret for push webhooks. "
            "Secrets are stored and never shown again. Nothing is fetched yet: call pull-and-publish next."
        ),
        input=ConnectArgs,
        handler=connect_github,
        min_role="manager",
        writes=True,
        hints=Hints(read_only=False, destructive=False, idempotent=True, open_world=False),
    ),
    ToolSpec(
        name="pull-and-publish",
        title="Pull the repository and prepare a publish",
        description=(
            "Fetches the connected branch, imports its folder (front matter becomes title, description and "
            "metadata; links between files become links between pages) as approved drafts, and returns the import "
            "report plus the publish dry run: manifest and confirmation_token. Only changed files become new "
            "drafts. Show the manifest to the user and deploy with publish-confirm only after their yes. Needs "
            "project_name."
        ),
        input=PullArgs,
        handler=pull_and_publish,
        min_role="manager",
        writes=True,
        # Like the dry-run publish: drafts (earlier content stays a revision) and a token; nothing destroyed.
        hints=Hints(read_only=False, destructive=False, idempotent=False, open_world=True),
    ),
]
