"""The permission gate every project-scoped use case passes through, with the need its declaration states."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam
from sqlalchemy import select as select_columns
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..auth import Principal, Role
from ..db import Database
from ..errors import (
    Forbidden,
    ModuleDisabled,
    NameEchoMismatch,
    NotFound,
    ProjectMismatch,
    QuotaExceeded,
    TrialExpired,
)
from ..models import Member, Project
from ..models.columns import ModelColumns
from ..rules.locales import enabled
from ..usecases import current_rule


@dataclass(frozen=True)
class Access:
    project: Project
    role: Role


def not_found(project_id: str) -> NotFound:
    return NotFound(
        f"No project {project_id!r} visible to you. Call list-my-projects for the projects you can use.",
        code="project_not_found",
    )


# The caller's membership row beside its project, by the ``user_id`` parameter (None for keys and the
# system): the one join every read of a project with its caller's role uses, in a session
# (``project_access``) or without one (the page read in ``page_read``).
CALLER_MEMBERSHIP = and_(
    col(Member.project_id) == col(Project.id), col(Member.user_id) == bindparam("user_id")
)
_PROJECT_AND_ROLE = (
    select(Project, col(Member.role))
    .outerjoin(Member, CALLER_MEMBERSHIP)
    .where(col(Project.id) == bindparam("project_id"))
)
_PROJECT_AND_ROLE_LOCKED = _PROJECT_AND_ROLE.with_for_update(of=Project)
# The same row as plain columns, for the use cases that read or write without a session.
_PROJECT = ModelColumns(Project)
PROJECT_AND_ROLE_COLUMNS = (
    select_columns(*_PROJECT.columns, col(Member.role))
    .select_from(_PROJECT.table)
    .outerjoin(Member, CALLER_MEMBERSHIP)
    .where(col(Project.id) == bindparam("project_id"))
)


def caller_params(principal: Principal, project_id: str) -> dict[str, Any]:
    """The parameters of ``CALLER_MEMBERSHIP`` and the project id, for this caller."""
    return {"project_id": project_id, "user_id": principal.user_id if principal.kind == "user" else None}


async def project_access(
    session: AsyncSession,
    principal: Principal,
    project_id: str,
    *,
    now: datetime,
    lock: bool = False,
    at_least: Role | None = None,
) -> Access:
    """Load the project and check the caller may run the current use case on it.

    The role needed and whether the call writes come from the use case's declaration (``@use_case``);
    ``at_least`` raises the role for one variant of a use case (unpublishing a page needs a manager).
    ``lock`` takes the project row for update (PostgreSQL) so quota counts and other read-then-write
    checks are serialised per project; on SQLite the write transaction already holds the lock.
    """
    check_key_project(principal, project_id)
    statement = _PROJECT_AND_ROLE_LOCKED if lock else _PROJECT_AND_ROLE
    row = (await session.exec(statement, params=caller_params(principal, project_id))).first()
    if row is None:
        raise not_found(project_id)
    project, member_role = row
    return authorize(principal, project, member_role, now=now, at_least=at_least)


async def read_access(db: Database, principal: Principal, project_id: str, *, now: datetime) -> Access:
    """``project_access`` for a use case that reads without a session: the same statement, rules and
    errors, in one statement outside any transaction (``Database.fetch_one``). The project it returns
    belongs to no session."""
    check_key_project(principal, project_id)
    row = await db.fetch_one(PROJECT_AND_ROLE_COLUMNS, caller_params(principal, project_id))
    project = _PROJECT.load(row[:-1]) if row is not None else None
    if row is None or project is None:
        raise not_found(project_id)
    return authorize(principal, project, row[-1], now=now)


def check_key_project(principal: Principal, project_id: str) -> None:
    if principal.kind == "key" and principal.key_project_id != project_id:
        raise ProjectMismatch(
            f"This API key belongs to project {principal.key_project_id!r} and cannot be used on project "
            f"{project_id!r}. Use a key of that project, or pass project_id={principal.key_project_id!r}."
        )


def authorize(
    principal: Principal,
    project: Project,
    member_role: str | None,
    *,
    now: datetime,
    at_least: Role | None = None,
) -> Access:
    """The access rules on a loaded project; ``member_role`` is the caller's membership row, if any.

    Split from the loading so the page read can fetch the project with its page in one statement.
    Use cases that are not about a project's content (feedback naming a project, platform-admin calls)
    need the caller to see the project, and a paused trial does not stop them.
    """
    rule = current_rule()
    need = max(rule.need.project_role or Role.viewer, at_least or Role.viewer)
    role = _role_on(principal, member_role)
    if role is None:
        raise not_found(project.id)
    if role < need:
        raise Forbidden(
            f"This needs the {need.name} role on project {project.name!r}; you are {role.name}. "
            "Ask a project manager to change your role.",
            code="role_too_low",
            required_role=need.name,
            your_role=role.name,
        )
    if rule.writes and rule.need.project_role is not None:
        check_trial(project, now)
    return Access(project=project, role=role)


def _role_on(principal: Principal, member_role: str | None) -> Role | None:
    if principal.is_platform_admin:
        return Role.manager
    if principal.kind == "key":
        return principal.key_role
    if principal.kind == "user" and principal.user_id and member_role:
        return Role.parse(member_role)
    return None


def check_trial(project: Project, now: datetime) -> None:
    """An expired trial pauses changes and publishing; reads keep working (SPEC §1 Plan)."""
    plan = project.plan or {}
    ends = plan.get("trial_ends_at")
    if plan.get("tier", "trial") == "trial" and ends and datetime.fromisoformat(ends) <= now:
        raise TrialExpired(
            f"The trial of project {project.name!r} ended on {ends[:10]}: changes and publishing are paused, "
            "reading still works. Upgrade the plan to 'standard' to continue."
        )


def require_module(project: Project, module: str) -> None:
    if not enabled(project.modules or {}, module):
        raise ModuleDisabled(
            f"The '{module}' module is off for project {project.name!r}. A manager can enable it in the "
            "project's modules.",
            module=module,
        )


def check_name_echo(project: Project, supplied: str | None) -> None:
    """Destructive calls repeat the project's name, so a model acting on the wrong project stops here."""
    expected = project.name.strip()
    if supplied is None or supplied.strip().casefold() != expected.casefold():
        raise NameEchoMismatch(
            f"project_name does not match: expected {expected!r}, got {supplied!r}. Repeat the project's name "
            "exactly as stored to confirm this destructive operation.",
            expected=expected,
            supplied=supplied,
        )


def quota(project: Project, name: str) -> int:
    return int((project.plan or {}).get("quotas", {}).get(name, 0))


def check_quota(project: Project, name: str, used: int, adding: int = 1) -> None:
    limit = quota(project, name)
    if used + adding > limit:
        raise QuotaExceeded(
            f"Quota {name} reached for project {project.name!r}: {used} of {limit} used. Remove some or upgrade "
            "the plan.",
            quota=name,
            limit=limit,
            used=used,
        )
