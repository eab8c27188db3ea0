"""The project state: everything needed to plan the next step, in one call."""

from __future__ import annotations

from comstack_core.schemas import ProjectState
from comstack_core.services.state import StateService

from .spec import Call, RouteSpec

P = "/api/projects/{project_id}"


async def get_project_state(call: Call) -> ProjectState:
    return await call.core.state.get_project_state(call.principal, call.project_id)


def specs() -> list[RouteSpec]:
    return [
        RouteSpec(
            "GET",
            P + "/state",
            get_project_state,
            "Everything needed to plan the next step, in one call",
            "projects",
            response=ProjectState,
            uses=StateService.get_project_state,
        ),
    ]
