"""The project gate without a session (``read_access``, behind search-docs) agrees with the session path
(``project_access``): the same project, role and errors for every caller, need and trial state."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import inspect as sa_inspect

from comstack_core import Principal
from comstack_core.errors import DomainError
from comstack_core.services.access import Access, project_access, read_access
from comstack_core.usecases import Need, Rule, running

from ..conftest import World
from .test_support import every_caller


def _outcome(access: Access) -> tuple[Any, ...]:
    project = access.project
    return (
        "allowed",
        access.role,
        {a.key: getattr(project, a.key) for a in sa_inspect(type(project)).column_attrs},
    )


async def _both(world: World, principal: Principal, project_id: str, rule: Rule, now: datetime) -> list[Any]:
    outcomes: list[Any] = []
    with running(rule):
        try:
            async with world.core.db.read() as session:
                outcomes.append(_outcome(await project_access(session, principal, project_id, now=now)))
        except DomainError as error:
            outcomes.append(("refused", type(error).__name__, error.to_dict()))
        try:
            outcomes.append(_outcome(await read_access(world.core.db, principal, project_id, now=now)))
        except DomainError as error:
            outcomes.append(("refused", type(error).__name__, error.to_dict()))
    return outcomes


async def test_read_access_and_project_access_agree(world: World) -> None:
    core, pid = world.core, world.project_id
    callers = await every_caller(world)
    projects = [pid, world.other_project_id, "no-such-project"]
    rules = [
        Rule(name="gate", need=need, writes=writes)
        for need in (Need.viewer, Need.editor, Need.manager)
        for writes in (False, True)
    ]
    now = core.ctx.clock()
    seen: set[str] = set()
    # Today, and after the trial ended (which pauses writes only).
    for when in (now, now + timedelta(days=3650)):
        for name, principal in callers.items():
            for project_id in projects:
                for rule in rules:
                    session_path, statement_path = await _both(world, principal, project_id, rule, when)
                    assert statement_path == session_path, (name, project_id, rule, when)
                    seen.add(session_path[0] if session_path[0] == "allowed" else session_path[1])
    assert seen == {"allowed", "NotFound", "Forbidden", "ProjectMismatch", "TrialExpired"}
