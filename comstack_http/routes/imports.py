"""Bringing docs in: an uploaded archive of a docs tree, and git sync (connect, pull, push webhook)."""

from __future__ import annotations

import tempfile

from comstack_core.schemas.imports import (
    GitConnect,
    GitConnectionView,
    GitPull,
    GitPullResult,
    ImportReport,
    ImportRequest,
    WebhookResult,
)

from .spec import Call, RouteSpec

P = "/api/projects/{project_id}"
_SPOOL_IN_MEMORY = 8 * 1024 * 1024


async def import_archive(call: Call) -> ImportReport:
    # The body limit middleware has already capped the upload; spool it so a large one is not held in memory.
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY) as spool:
        async for chunk in call.request.stream():
            spool.write(chunk)
        return await call.core.imports.import_archive(
            call.principal, call.project_id, spool, call.query(ImportRequest)
        )


async def connect_git(call: Call) -> GitConnectionView:
    return await call.core.git_sync.connect(call.principal, call.project_id, call.body(GitConnect))


async def get_git(call: Call) -> GitConnectionView:
    return await call.core.git_sync.get_connection(call.principal, call.project_id)


async def pull_git(call: Call) -> GitPullResult:
    return await call.core.git_sync.pull_and_publish(call.principal, call.project_id, call.body(GitPull))


async def git_webhook(call: Call) -> WebhookResult:
    body = await call.request.body()
    return await call.core.git_sync.webhook(call.project_id, dict(call.request.headers), body)


def specs() -> list[RouteSpec]:
    tag = "imports"
    return [
        RouteSpec(
            "POST",
            P + "/import",
            import_archive,
            "Import a .zip or .tar.gz of a docs tree (manager); the body is the archive, options in the query",
            tag,
            query=ImportRequest,
            response=ImportReport,
            extra_errors=(413,),
        ),
        RouteSpec(
            "PUT",
            P + "/git",
            connect_git,
            "Connect a git repository for git sync (manager); token and webhook secret are never returned",
            tag,
            body=GitConnect,
            response=GitConnectionView,
        ),
        RouteSpec(
            "GET", P + "/git", get_git, "The connected repository (manager)", tag, response=GitConnectionView
        ),
        RouteSpec(
            "POST",
            P + "/git/pull",
            pull_git,
            "Fetch the branch, import it as ready drafts and return the publish dry run (manager)",
            tag,
            body=GitPull,
            response=GitPullResult,
            extra_errors=(409, 413),
        ),
        RouteSpec(
            "POST",
            P + "/git/webhook",
            git_webhook,
            "Push webhook of GitHub, Gitea or GitLab, verified by the project's webhook secret",
            tag,
            response=WebhookResult,
            auth=False,  # the sender proves itself with the project's webhook secret, not with credentials
            extra_errors=(400, 403, 404, 409, 413, 429),
        ),
    ]
