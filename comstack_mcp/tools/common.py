"""Argument pieces shared by the tool groups, and the one helper that slices flat arguments."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, Field

from comstack_core.schemas.base import NAME_ECHO_DOC, Input

M = TypeVar("M", bound=BaseModel)

PROJECT_ID_DOC = "The project's id, e.g. 'prj_...' (from list-my-projects or whoami)."


class NoArgs(Input):
    pass


class ProjectArg(Input):
    project_id: str = Field(min_length=1, description=PROJECT_ID_DOC)


class NameEcho(Input):
    project_name: str = Field(description=NAME_ECHO_DOC)


class TemplateIdArg(Input):
    template_id: str = Field(min_length=1, description="The template's id, e.g. 'docs' or 'knowledge-site'.")


def part(args: BaseModel, model: type[M]) -> M:
    """The slice of a tool's flat arguments that one core input model takes.

    Tool inputs combine several core models (project_id + page handle + changes); the core
    distinguishes omitted from null fields (``exclude_unset``), so unset fields stay unset.
    """
    data: dict[str, Any] = args.model_dump(include=set(model.model_fields), exclude_unset=True)
    return model.model_validate(data)
