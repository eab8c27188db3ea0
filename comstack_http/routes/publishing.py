"""Publishing: dry run, confirm, status, history, revert; and translation tasks."""

from __future__ import annotations

from pydantic import Field

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
from comstack_core.schemas.base import Input
from comstack_core.services.translations import TranslationService

from .spec import Call, RouteSpec

P = "/api/projects/{project_id}"


class LimitQuery(Input):
    limit: int = Field(default=20, ge=1, le=200)


async def publish(call: Call) -> PublishDryRun:
    return await call.core.publishing.publish(call.principal, call.project_id, call.body(PublishRequest))


async def publish_confirm(call: Call) -> PublishStarted:
    return await call.core.publishing.publish_confirm(
        call.principal, call.project_id, call.body(PublishConfirm)
    )


async def publish_history(call: Call) -> list[PublishStatus]:
    return await call.core.publishing.list_publish_history(
        call.principal, call.project_id, call.query(LimitQuery).limit
    )


async def publish_status(call: Call) -> PublishStatus:
    return await call.core.publishing.publish_status(
        call.principal, call.project_id, call.param("publish_id")
    )


async def publish_revert(call: Call) -> PublishStatus:
    return await call.core.publishing.revert_publish(
        call.principal, call.project_id, call.param("publish_id"), call.body(PublishRevert)
    )


async def list_translation_tasks(call: Call) -> list[TranslationTaskView]:
    return await call.core.translations.list_translation_tasks(
        call.principal, call.project_id, call.query(LimitQuery).limit
    )


async def submit_translation(call: Call) -> PageSaved:
    return await call.core.translations.submit_translation(
        call.principal, call.project_id, call.body(TranslationSubmit)
    )


def specs() -> list[RouteSpec]:
    tag = "publishing"
    return [
        RouteSpec(
            "POST",
            P + "/publish",
            publish,
            "Dry run: the manifest and a confirmation token (manager)",
            tag,
            body=PublishRequest,
            response=PublishDryRun,
            extra_errors=(409,),
            uses=PublishService.publish,
        ),
        RouteSpec(
            "POST",
            P + "/publish/confirm",
            publish_confirm,
            "Confirm with the dry run's token; the publish runs in the background (manager)",
            tag,
            body=PublishConfirm,
            response=PublishStarted,
            status=202,
            extra_errors=(409,),
            uses=PublishService.publish_confirm,
        ),
        # Declared before /publish/{publish_id} so 'history' is never taken for an id.
        RouteSpec(
            "GET",
            P + "/publish/history",
            publish_history,
            "Publishes, newest first",
            tag,
            query=LimitQuery,
            response=list[PublishStatus],
            uses=PublishService.list_publish_history,
        ),
        RouteSpec(
            "GET",
            P + "/publish/{publish_id}",
            publish_status,
            "A publish's status and progress",
            tag,
            response=PublishStatus,
            uses=PublishService.publish_status,
        ),
        RouteSpec(
            "POST",
            P + "/publish/{publish_id}/revert",
            publish_revert,
            "Revert the latest publish within the revert window (manager)",
            tag,
            body=PublishRevert,
            response=PublishStatus,
            extra_errors=(409,),
            uses=PublishService.revert_publish,
        ),
        RouteSpec(
            "GET",
            P + "/translations/tasks",
            list_translation_tasks,
            "Open translation tasks (editor)",
            tag,
            query=LimitQuery,
            response=list[TranslationTaskView],
            uses=TranslationService.list_translation_tasks,
        ),
        RouteSpec(
            "POST",
            P + "/translations/submit",
            submit_translation,
            "Complete a translation task; the page goes live with the next publish (editor)",
            tag,
            body=TranslationSubmit,
            response=PageSaved,
            extra_errors=(409,),
            uses=TranslationService.submit_translation,
        ),
    ]
