"""Feedback about the product (SPEC §8 report-feedback): who may send it, what is stored, the daily cap,
and the platform-admin-only list. Runs on SQLite and PostgreSQL (the ``backend`` fixture)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import func
from sqlmodel import select

from comstack_core.errors import DailyQuotaExceeded, Forbidden, NotFound, ProjectMismatch
from comstack_core.models import Feedback
from comstack_core.schemas import FeedbackCreate, FeedbackFilter

from ..conftest import FakeClock, World
from .test_support import audit_rows, expect, key_principal, read_only


async def stored(world: World) -> list[Feedback]:
    async with world.core.db.read() as session:
        return list(await session.exec(select(Feedback).order_by(Feedback.created_at)))


async def count(world: World) -> int:
    async with world.core.db.read() as session:
        return (await session.exec(select(func.count()).select_from(Feedback))).one()


def limit_per_day(world: World, limit: int) -> None:
    world.core.ctx.settings = world.core.ctx.settings.model_copy(update={"feedback_per_day": limit})


async def test_report_stores_who_through_which_door_and_when(world: World, clock: FakeClock) -> None:
    audit_before = len(await audit_rows(world.core))
    receipt = await world.core.feedback.report_feedback(
        world.viewer.via("mcp"),
        FeedbackCreate(kind="confusing", message="  update-page wants base_version  ", tool="update-page",
                       project_id=world.project_id),
    )
    assert receipt.id.startswith("fb_") and receipt.created_at == clock.now and "Thank you" in receipt.thanks
    [row] = await stored(world)
    assert (row.id, row.kind, row.message, row.tool, row.project_id) == (
        receipt.id, "confusing", "update-page wants base_version", "update-page", world.project_id)
    assert (row.actor_kind, row.actor_id, row.door, row.created_at) == ("user", world.viewer.user_id, "mcp", clock.now)
    # The report is its own record; it changes no project, so the audit log stays as it was.
    assert len(await audit_rows(world.core)) == audit_before


async def test_keys_report_about_their_own_project(world: World) -> None:
    key = await key_principal(world.core, world.manager, world.project_id, role="viewer")
    await world.core.feedback.report_feedback(key, FeedbackCreate(kind="praise", message="Publishing is smooth."))
    [row] = await stored(world)
    assert (row.actor_kind, row.actor_id, row.project_id, row.door) == ("key", key.key_id, world.project_id, "rest")
    # Users without a project, and reports about nothing in particular, are fine too.
    await world.core.feedback.report_feedback(world.outsider, FeedbackCreate(kind="missing", message="Dark mode."))
    assert (await stored(world))[-1].project_id is None


async def test_refused_reports_write_nothing(world: World, clock: FakeClock) -> None:
    core = world.core
    await expect(NotFound, "project_not_found", core.feedback.report_feedback(
        world.outsider, FeedbackCreate(kind="bug", message="x", project_id=world.project_id)))
    await expect(NotFound, "project_not_found", core.feedback.report_feedback(
        world.viewer, FeedbackCreate(kind="bug", message="x", project_id="prj_missing")))
    key = await key_principal(core, world.manager, world.project_id)
    await expect(ProjectMismatch, "project_mismatch", core.feedback.report_feedback(
        key, FeedbackCreate(kind="bug", message="x", project_id=world.other_project_id)))
    await expect(Forbidden, "read_only_scope", core.feedback.report_feedback(
        read_only(world.manager), FeedbackCreate(kind="bug", message="x")))
    assert await count(world) == 0


@pytest.mark.parametrize("fields", [
    {"kind": "rant", "message": "x"},
    {"kind": "bug", "message": ""},
    {"kind": "bug", "message": " \n\t "},
    {"kind": "bug", "message": "x" * 4001},
    {"kind": "bug", "message": "x", "tool": "t" * 101},
    {"kind": "bug", "message": "x", "tool": "update-page\nignore this"},
    {"kind": "bug", "message": "x", "project_id": ""},
    {"kind": "bug", "message": "nul \x00 here"},
    {"kind": "bug", "message": "x", "severity": "high"},
    {"message": "no kind"},
])
def test_malformed_reports_are_refused_by_the_input_model(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        FeedbackCreate.model_validate(fields)


def test_limits_are_inclusive() -> None:
    assert len(FeedbackCreate(kind="other", message="x" * 4000, tool="t" * 100).message) == 4000
    assert FeedbackCreate(kind="other", message="x", tool="  ").tool is None


async def test_daily_cap_per_actor_slides_over_24_hours(world: World, clock: FakeClock) -> None:
    core = world.core
    limit_per_day(world, 3)
    for i in range(3):
        await core.feedback.report_feedback(world.editor, FeedbackCreate(kind="bug", message=f"report {i}"))
        clock.advance(hours=1)
    error = await expect(DailyQuotaExceeded, "feedback_quota_exceeded", core.feedback.report_feedback(
        world.editor, FeedbackCreate(kind="bug", message="one more")))
    # The first report (3 hours ago) leaves the window in 21 hours.
    assert error.details == {"limit": 3, "used": 3, "retry_after": 21 * 3600}
    assert "limit is 3" in error.message and "about 21 hour" in error.message
    assert await count(world) == 3
    # Another caller has its own allowance.
    await core.feedback.report_feedback(world.viewer, FeedbackCreate(kind="bug", message="mine"))
    clock.advance(hours=21, seconds=1)
    await core.feedback.report_feedback(world.editor, FeedbackCreate(kind="bug", message="fits again"))
    assert await count(world) == 5


async def test_a_zero_cap_turns_feedback_off(world: World) -> None:
    limit_per_day(world, 0)
    error = await expect(DailyQuotaExceeded, "feedback_quota_exceeded", world.core.feedback.report_feedback(
        world.editor, FeedbackCreate(kind="bug", message="x")))
    assert error.details["retry_after"] == 24 * 3600
    assert await count(world) == 0


async def test_only_platform_admins_list_feedback_newest_first(world: World, clock: FakeClock) -> None:
    core = world.core
    sent = []
    for who, kind, project in ((world.viewer, "bug", world.project_id), (world.outsider, "praise", None),
                               (world.editor, "bug", None)):
        sent.append(await core.feedback.report_feedback(
            who, FeedbackCreate(kind=kind, message=f"{kind} report", project_id=project)))
        clock.advance(minutes=5)
    for caller in (world.manager, world.viewer, await key_principal(core, world.manager, world.project_id, "manager")):
        await expect(Forbidden, "platform_admin_only", core.feedback.list_feedback(caller))

    listed = await core.feedback.list_feedback(world.admin)
    assert listed.total == 3 and [f.id for f in listed.feedback] == [r.id for r in reversed(sent)]
    first = listed.feedback[-1]
    assert (first.actor_email, first.kind, first.project_id) == ("viewer@example.com", "bug", world.project_id)
    # A platform admin holding only the read scope may still read it.
    assert (await core.feedback.list_feedback(read_only(world.admin))).total == 3

    page = await core.feedback.list_feedback(world.admin, FeedbackFilter(limit=1, offset=1))
    assert page.total == 3 and [f.id for f in page.feedback] == [sent[1].id]
    bugs = await core.feedback.list_feedback(world.admin, FeedbackFilter(kind="bug"))
    assert bugs.total == 2 and {f.kind for f in bugs.feedback} == {"bug"}
    about = await core.feedback.list_feedback(world.admin, FeedbackFilter(project_id=world.project_id))
    assert [f.id for f in about.feedback] == [sent[0].id]


async def test_reports_outlive_the_project_they_mention(world: World, clock: FakeClock) -> None:
    core = world.core
    await core.feedback.report_feedback(
        world.manager, FeedbackCreate(kind="other", message="Closing shop", project_id=world.project_id))
    await core.projects.delete_project(world.manager, world.project_id, world.project_name)
    clock.advance(seconds=1)
    [row] = (await core.feedback.list_feedback(world.admin)).feedback
    assert row.project_id == world.project_id and row.message == "Closing shop"
    assert timedelta(0) < clock.now - row.created_at
