"""Feedback about the product: anyone with full-scope credentials sends it, platform admins read it."""

from __future__ import annotations

from comstack_core.schemas import FeedbackCreate, FeedbackFilter, FeedbackList, FeedbackReceipt
from comstack_core.services.feedback import FeedbackService

from .spec import Call, RouteSpec


async def report_feedback(call: Call) -> FeedbackReceipt:
    return await call.core.feedback.report_feedback(call.principal, call.body(FeedbackCreate))


async def list_feedback(call: Call) -> FeedbackList:
    return await call.core.feedback.list_feedback(call.principal, call.query(FeedbackFilter))


def specs() -> list[RouteSpec]:
    return [
        RouteSpec(
            "POST",
            "/api/feedback",
            report_feedback,
            "Report feedback about ComStack: a bug, something confusing, a missing feature, praise "
            "(capped per caller per day)",
            "feedback",
            body=FeedbackCreate,
            response=FeedbackReceipt,
            status=201,
            extra_errors=(404,),
            uses=FeedbackService.report_feedback,
        ),
        RouteSpec(
            "GET",
            "/api/feedback",
            list_feedback,
            "List the feedback sent to this installation, newest first (platform admin)",
            "feedback",
            query=FeedbackFilter,
            response=FeedbackList,
            uses=FeedbackService.list_feedback,
        ),
    ]
