"""Git sync (SPEC §14): a project's repository, pulled and imported as ready drafts, then a publish dry run.

`connect` stores the repository (URL, branch, folder, access token, webhook secret; the secrets are
never shown again); `pull_and_publish` fetches the branch with dulwich, imports the folder and
returns the publish dry run, so deploying still takes `publish-confirm`; `webhook` does the same for
a verified push to the configured branch and, when the project opted in, confirms the publish itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from ..auth import Principal, Role
from ..errors import Conflict, NotFound
from ..gitsync import (
    FetchResult,
    GitOptions,
    GitSource,
    check_branch,
    check_folder,
    check_url,
    parse_push,
    sync_folder,
    verify,
)
from ..models import GitConnection, Project
from ..publishing.service import PublishService
from ..schemas import PublishConfirm, PublishRequest
from ..schemas.imports import (
    GitConnect,
    GitConnectionView,
    GitPull,
    GitPullResult,
    ImportRequest,
    WebhookResult,
)
from .access import check_name_echo, project_access, require_module
from .base import Context, Service, audit
from .imports import ImportService

MODULE = "github_sync"


def not_connected(project_id: str) -> NotFound:
    return NotFound(
        f"Project {project_id!r} has no repository connected (or is not visible to you). Connect one with "
        "connect-github (PUT /api/projects/{id}/git).",
        code="git_not_connected",
    )


class GitSyncService(Service):
    def __init__(self, ctx: Context, imports: ImportService, publishing: PublishService) -> None:
        super().__init__(ctx)
        self.imports = imports
        self.publishing = publishing

    def _options(self) -> GitOptions:
        s = self.ctx.settings
        return GitOptions(
            cache_dir=s.git_cache_dir,
            allow_local=s.git_allow_local,
            allow_private_hosts=s.git_allow_private_hosts,
            ca_bundle=s.git_ca_bundle,
        )

    def _view(self, row: GitConnection) -> GitConnectionView:
        return GitConnectionView(
            url=row.url,
            branch=row.branch,
            folder=row.folder,
            has_token=bool(row.token),
            has_webhook_secret=bool(row.webhook_secret),
            auto_publish=row.auto_publish,
            webhook_url=f"{self.ctx.settings.public_url.rstrip('/')}/api/projects/{row.project_id}/git/webhook",
            last_commit=row.last_commit,
            last_pull_at=row.last_pull_at,
        )

    async def connect(self, principal: Principal, project_id: str, data: GitConnect) -> GitConnectionView:
        """Store (or replace) the project's repository. Checks the URL's form; fetching happens on pull."""
        check_url(data.url, allow_local=self.ctx.settings.git_allow_local)
        check_branch(data.branch)
        folder = check_folder(data.folder)
        now = self.now()
        async with self.db.write() as session:
            access = await project_access(session, principal, project_id, Role.manager, write=True, now=now)
            require_module(access.project, MODULE)
            row = await session.get(GitConnection, project_id)
            if row is None:
                row = GitConnection(project_id=project_id, url="", branch="", created_at=now, updated_at=now)
            elif row.url.strip() != data.url.strip() or row.branch != data.branch or row.folder != folder:
                row.last_commit = None  # another source: the next pull imports it whole
            row.url, row.branch, row.folder = data.url.strip(), data.branch, folder
            row.token = data.token or None
            row.webhook_secret = data.webhook_secret or None
            row.auto_publish = data.auto_publish
            row.updated_at, row.updated_by = now, principal.actor_id
            session.add(row)
            audit(
                session,
                principal,
                "git.connect",
                project_id=project_id,
                at=now,
                detail={
                    "url": row.url,
                    "branch": row.branch,
                    "folder": folder,
                    "token": bool(row.token),
                    "webhook_secret": bool(row.webhook_secret),
                    "auto_publish": row.auto_publish,
                },
            )
            return self._view(row)

    async def get_connection(self, principal: Principal, project_id: str) -> GitConnectionView:
        async with self.db.read() as session:
            access = await project_access(
                session, principal, project_id, Role.manager, write=False, now=self.now()
            )
            require_module(access.project, MODULE)
            row = await session.get(GitConnection, project_id)
            if row is None:
                raise not_connected(project_id)
            return self._view(row)

    async def pull_and_publish(self, principal: Principal, project_id: str, data: GitPull) -> GitPullResult:
        """Fetch the branch, import its folder as ready drafts, and return the publish dry run (manager)."""
        async with self.db.read() as session:
            access = await project_access(
                session, principal, project_id, Role.manager, write=True, now=self.now()
            )
            check_name_echo(access.project, data.project_name)
            require_module(access.project, MODULE)
            row = await session.get(GitConnection, project_id)
            if row is None:
                raise not_connected(project_id)
        return await self._pull(principal, access.project, row, unpublish_removed=data.unpublish_removed)

    async def _pull(
        self, principal: Principal, project: Project, row: GitConnection, *, unpublish_removed: bool
    ) -> GitPullResult:
        source = GitSource(url=row.url, branch=row.branch, folder=row.folder, token=row.token)
        fetched: FetchResult = await asyncio.to_thread(sync_folder, source, self._options())
        report = await self.imports.import_tree(
            principal,
            project.id,
            fetched.tree,
            ImportRequest(approve=True, unpublish_removed=unpublish_removed),
            origin="git",
        )
        now = self.now()
        async with self.db.write() as session:
            stored = await session.get(GitConnection, project.id)
            previous = stored.last_commit if stored else None
            if stored is not None:
                stored.last_commit, stored.last_pull_at = fetched.commit, now
                session.add(stored)
            audit(
                session,
                principal,
                "git.pull",
                project_id=project.id,
                at=now,
                detail={
                    "commit": fetched.commit,
                    "previous_commit": previous,
                    "skipped": len(fetched.skipped),
                },
            )
        try:
            dry = await self.publishing.publish(
                principal, project.id, PublishRequest(project_name=project.name)
            )
            message = (
                f"Imported commit {fetched.commit[:12]}. Show the manifest to the user; deploy with "
                "publish-confirm and the confirmation_token."
            )
        except Conflict as exc:
            if exc.code != "nothing_to_publish":
                raise
            dry, message = (
                None,
                f"Imported commit {fetched.commit[:12]}: nothing changed that needs publishing.",
            )
        return GitPullResult(
            commit=fetched.commit, previous_commit=previous, report=report, publish=dry, message=message
        )

    async def webhook(self, project_id: str, headers: Mapping[str, str], body: bytes) -> WebhookResult:
        """A push event from GitHub, Gitea or GitLab: verified against the project's webhook secret first."""
        async with self.db.read() as session:
            project = await session.get(Project, project_id)
            row = await session.get(GitConnection, project_id) if project is not None else None
        if project is None or row is None:
            raise not_connected(project_id)
        provider = verify(headers, body, row.webhook_secret or "")
        require_module(project, MODULE)
        event = parse_push(headers, body, provider)
        if event is None:
            return WebhookResult(action="ignored", reason="Not a branch push (ping, tag or branch deletion).")
        if event.branch != row.branch:
            return WebhookResult(
                action="ignored",
                reason=f"Push to {event.branch!r}; this project follows {row.branch!r}.",
                commit=event.commit,
            )
        principal = Principal.system(door="rest")
        pulled = await self._pull(principal, project, row, unpublish_removed=False)
        counts = pulled.report.counts
        if pulled.publish is None or not row.auto_publish:
            return WebhookResult(action="pulled", reason=pulled.message, commit=pulled.commit, counts=counts)
        started = await self.publishing.publish_confirm(
            principal,
            project_id,
            PublishConfirm(project_name=project.name, confirmation_token=pulled.publish.confirmation_token),
        )
        return WebhookResult(
            action="published",
            reason="Pulled and published (the project confirms pushes itself).",
            commit=pulled.commit,
            publish=started,
            counts=counts,
        )
