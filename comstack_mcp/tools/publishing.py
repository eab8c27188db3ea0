"""Publishing: dry run (manifest + token) → user's yes → confirm → poll status; revert; history; and the
translation tasks a publish opens for the assistant to complete."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from comstack_core import Core, Principal
from comstack_core.publishing.service import PublishService
from comstack_core.schemas import (
    PageSaved,
    PublishConfirm,
    PublishDryRun,
    PublishRequest,
    PublishRevert,
    PublishStarted,
    PublishStatus,
    TranslationSubmit,
    TranslationTaskView,
)
from comstack_core.schemas.base import View
from comstack_core.services.translations import TranslationService

from ..spec import READ, Hints, ToolSpec
from .common import ProjectArg, part

PUBLISH_ID_DOC = "The publish id returned by publish-confirm (or from list-publish-history)."


class PublishArgs(PublishRequest, ProjectArg):
    pass


async def publish(core: Core, principal: Principal, args: PublishArgs) -> PublishDryRun:
    return await core.publishing.publish(principal, args.project_id, part(args, PublishRequest))


class PublishConfirmArgs(PublishConfirm, ProjectArg):
    pass


async def publish_confirm(core: Core, principal: Principal, args: PublishConfirmArgs) -> PublishStarted:
    return await core.publishing.publish_confirm(principal, args.project_id, part(args, PublishConfirm))


class PublishIdArgs(ProjectArg):
    publish_id: str = Field(min_length=1, description=PUBLISH_ID_DOC)


async def publish_status(core: Core, principal: Principal, args: PublishIdArgs) -> PublishStatus:
    return await core.publishing.publish_status(principal, args.project_id, args.publish_id)


class RevertArgs(PublishRevert, PublishIdArgs):
    pass


async def revert_publish(core: Core, principal: Principal, args: RevertArgs) -> PublishStatus:
    return await core.publishing.revert_publish(
        principal, args.project_id, args.publish_id, part(args, PublishRevert)
    )


class HistoryArgs(ProjectArg):
    limit: int = Field(default=20, ge=1, le=200, description="How many publishes, newest first.")


class PublishHistory(View):
    publishes: list[PublishStatus] = Field(description="Newest first.")


async def list_publish_history(core: Core, principal: Principal, args: HistoryArgs) -> PublishHistory:
    return PublishHistory(
        publishes=await core.publishing.list_publish_history(principal, args.project_id, args.limit)
    )


class TasksArgs(ProjectArg):
    limit: int = Field(
        default=20,
        ge=1,
        le=100,
        description="How many open translation tasks to return, oldest first (1-100).",
    )


class TranslationTaskList(View):
    tasks: list[TranslationTaskView]


async def list_translation_tasks(core: Core, principal: Principal, args: TasksArgs) -> TranslationTaskList:
    return TranslationTaskList(
        tasks=await core.translations.list_translation_tasks(principal, args.project_id, args.limit)
    )


class SubmitTranslationArgs(TranslationSubmit, ProjectArg):
    pass


async def submit_translation(core: Core, principal: Principal, args: SubmitTranslationArgs) -> PageSaved:
    return await core.translations.submit_translation(
        principal, args.project_id, part(args, TranslationSubmit)
    )


WRITE_ONCE = Hints(read_only=False, destructive=True, idempotent=False, open_world=False)

TOOLS: list[ToolSpec[Any]] = [
    ToolSpec(
        name="publish",
        title="Publish (dry run)",
        description=(
            "Step 1 of publishing (managers): computes the manifest of what would change on the live site (pages "
            "new/updated/removed with URLs, theme and navigation changes, translations planned, lint) and returns a "
            "confirmation_token valid until its expires_at (5 minutes by default). Writes nothing else. Show the manifest to the user and get an "
            "explicit yes before calling publish-confirm with the token. Needs project_name."
        ),
        input=PublishArgs,
        handler=publish,
        uses=PublishService.publish,
        # a confirmation token, and nothing else: the dry run destroys nothing
        hints=Hints(read_only=False, destructive=False, idempotent=False, open_world=False),
    ),
    ToolSpec(
        name="publish-confirm",
        title="Confirm publish",
        description=(
            "Step 2 of publishing (managers), only after the user said yes to the manifest: consumes the "
            "confirmation_token from publish and starts the publish in the background. Refused if the project "
            "changed since the dry run (run publish again). Returns publish_id; then poll publish-status."
        ),
        input=PublishConfirmArgs,
        handler=publish_confirm,
        uses=PublishService.publish_confirm,
        hints=WRITE_ONCE,
    ),
    ToolSpec(
        name="publish-status",
        title="Publish status",
        description=(
            "Step 3: reports a publish's status (running, succeeded, failed, reverted), its current step and "
            "progress, timings, counts and the error of a failure. Poll every few seconds until it is no longer "
            "running, then tell the user the result and the site_url."
        ),
        input=PublishIdArgs,
        handler=publish_status,
        uses=PublishService.publish_status,
        hints=READ,
    ),
    ToolSpec(
        name="revert-publish",
        title="Revert a publish",
        description=(
            "Puts back the site and the live page versions as they were before the given publish (managers), "
            "within the revert window (1 hour by default) and only for the latest publish. The reverted content "
            "stays as an unapproved draft. Needs project_name; confirm with the user first."
        ),
        input=RevertArgs,
        handler=revert_publish,
        uses=PublishService.revert_publish,
        hints=WRITE_ONCE,
    ),
    ToolSpec(
        name="list-publish-history",
        title="Publish history",
        description=(
            "Lists the project's publishes, newest first: who, when, status, counts and duration. Use it to find "
            "a publish_id for publish-status or revert-publish."
        ),
        input=HistoryArgs,
        handler=list_publish_history,
        uses=PublishService.list_publish_history,
        hints=READ,
    ),
    ToolSpec(
        name="list-translation-tasks",
        title="List translation tasks",
        description=(
            "Lists open translation tasks (editors): pages a publish fanned out to other locales, with the source "
            "title, description and Markdown (knowledge pages) or marked strings (custom pages). Translate each "
            "yourself and send it with submit-translation; translations go live with the next publish."
        ),
        input=TasksArgs,
        handler=list_translation_tasks,
        uses=TranslationService.list_translation_tasks,
        hints=READ,
    ),
    ToolSpec(
        name="submit-translation",
        title="Submit a translation",
        description=(
            "Completes one translation task (editors): send the translated title, description and either content "
            "(Markdown, knowledge pages) or strings (every marked key, custom pages). Creates or updates the "
            "locale's page as an approved draft that the next publish puts live."
        ),
        input=SubmitTranslationArgs,
        handler=submit_translation,
        uses=TranslationService.submit_translation,
        hints=Hints(read_only=False, destructive=False, idempotent=False, open_world=False),
    ),
]
