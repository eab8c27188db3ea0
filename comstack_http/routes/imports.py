"""Bringing docs in and out: an uploaded archive of a docs tree, git sync (connect, pull, push webhook), and a
project exported as a .zip in the layout the import reads."""

from __future__ import annotations

import os
import tempfile

from starlette.background import BackgroundTask
from starlette.responses import FileResponse

from comstack_core.backup.export import ExportService
from comstack_core.schemas.imports import (
    GitConnect,
    GitConnectionView,
    GitPull,
    GitPullResult,
    ImportReport,
    ImportRequest,
    WebhookResult,
)
from comstack_core.services.git_sync import GitSyncService
from comstack_core.services.imports import ImportService

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


async def export_project(call: Call) -> FileResponse:
    path = await call.core.exports.export_zip(call.principal, call.project_id)
    return FileResponse(path, media_type="application/zip", filename=f"{call.project_id}.zip",
                        background=BackgroundTask(os.unlink, path))  # the temporary file goes once sent


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
            uses=ImportService.import_archive,
        ),
        RouteSpec(
            "GET",
            P + "/export",
            export_project,
            "The project as a .zip of files (manager): pages as Markdown with front matter, custom pages as HTML, "
            "images, mkdocs.yml navigation, comstack.yml theme; POST /import reads it back",
            tag,
            media_type="application/zip",
            uses=ExportService.export_zip,
        ),
        RouteSpec(
            "PUT",
            P + "/git",
            connect_git,
            "Connect a git repository for git sync (manager); token and webhook secret are never returned",
            tag,
            body=GitConnect,
            response=GitConnectionView,
            uses=GitSyncService.connect,
        ),
        RouteSpec(
            "GET",
            P + "/git",
            get_git,
            "The connected repository (manager)",
            tag,
            response=GitConnectionView,
            uses=GitSyncService.get_connection,
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
            uses=GitSyncService.pull_and_publish,
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
