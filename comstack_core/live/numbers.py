"""Which project a called number leads to: the ``voice_phone`` module's numbers, kept in a table of
their own so a number belongs to one project and an incoming call finds it with one look-up."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..errors import Conflict
from ..models import LivePhoneNumber, Project
from ..rules.locales import enabled
from ..services.access import check_quota
from .lines import numbers


async def sync_numbers(session: AsyncSession, project: Project, modules: dict[str, Any]) -> None:
    """Make the project's numbers those of its ``voice_phone`` config while the module is on (none while
    off). Refused past the plan's ``max_numbers`` or when another project has a number already."""
    wanted = numbers(modules.get("voice_phone") or {}) if enabled(modules, "voice_phone") else []
    if wanted:
        check_quota(project, "max_numbers", 0, len(wanted))
        await _refuse_taken(session, project, wanted)
    await session.exec(
        delete(LivePhoneNumber).where(
            col(LivePhoneNumber.project_id) == project.id, col(LivePhoneNumber.number).not_in(wanted)
        )
    )
    have = set(
        (
            await session.exec(select(LivePhoneNumber.number).where(LivePhoneNumber.project_id == project.id))
        ).all()
    )
    # Two projects claiming one number at the same moment both find it free; the number's primary key
    # lets one insert through and stops the other, which is then told whose it is, as if it had come later.
    try:
        async with session.begin_nested():
            session.add_all(
                LivePhoneNumber(number=number, project_id=project.id) for number in wanted if number not in have
            )
    except IntegrityError:
        await _refuse_taken(session, project, wanted)
        raise


async def _refuse_taken(session: AsyncSession, project: Project, wanted: list[str]) -> None:
    taken = (
        await session.exec(
            select(LivePhoneNumber.number).where(
                col(LivePhoneNumber.number).in_(wanted), LivePhoneNumber.project_id != project.id
            )
        )
    ).all()
    if taken:
        raise Conflict(
            f"The number(s) {', '.join(sorted(taken))} already lead to another project; remove them there "
            "first.",
            code="number_taken",
        )


async def project_for_number(session: AsyncSession, number: str) -> Project | None:
    """The project a called number leads to, when its phone line is on."""
    row = await session.get(LivePhoneNumber, number)
    if row is None:
        return None
    project = await session.get(Project, row.project_id)
    if project is None or not enabled(project.modules or {}, "voice_phone"):
        return None
    return project
