"""Doc templates and project templates (global; changes are platform-admin only) and a project's choice."""

from __future__ import annotations

from comstack_core.schemas import (
    DocTemplateCreate,
    DocTemplateUpdate,
    DocTemplateView,
    ProjectTemplateCreate,
    ProjectTemplatesUpdate,
    ProjectTemplateUpdate,
    ProjectTemplateView,
    TemplateAssignment,
)
from comstack_core.services.templates import TemplateService

from .models import AssignTemplateInput, TemplateListQuery
from .spec import Call, RouteSpec

DOC = "/api/templates/doc"
PROJECT = "/api/templates/project"
P = "/api/projects/{project_id}"


async def list_doc_templates(call: Call) -> list[DocTemplateView]:
    return await call.core.templates.list_doc_templates(
        call.principal, include_deleted=call.query(TemplateListQuery).include_deleted
    )


async def create_doc_template(call: Call) -> DocTemplateView:
    return await call.core.templates.create_doc_template(call.principal, call.body(DocTemplateCreate))


async def get_doc_template(call: Call) -> DocTemplateView:
    return await call.core.templates.get_doc_template(call.principal, call.param("template_id"))


async def update_doc_template(call: Call) -> DocTemplateView:
    return await call.core.templates.update_doc_template(
        call.principal, call.param("template_id"), call.body(DocTemplateUpdate)
    )


async def delete_doc_template(call: Call) -> None:
    await call.core.templates.delete_doc_template(call.principal, call.param("template_id"))


async def list_project_templates(call: Call) -> list[ProjectTemplateView]:
    return await call.core.templates.list_project_templates(call.principal)


async def create_project_template(call: Call) -> ProjectTemplateView:
    return await call.core.templates.create_project_template(call.principal, call.body(ProjectTemplateCreate))


async def get_project_template(call: Call) -> ProjectTemplateView:
    return await call.core.templates.get_project_template(call.principal, call.param("template_id"))


async def delete_project_template(call: Call) -> None:
    await call.core.templates.delete_project_template(call.principal, call.param("template_id"))


async def update_project_template(call: Call) -> ProjectTemplateView:
    return await call.core.templates.update_project_template(
        call.principal, call.param("template_id"), call.body(ProjectTemplateUpdate)
    )


async def assign_project_template(call: Call) -> TemplateAssignment:
    return await call.core.templates.assign_project_template(
        call.principal, call.project_id, call.body(AssignTemplateInput).template_id
    )


async def list_project_doc_templates(call: Call) -> list[DocTemplateView]:
    return await call.core.templates.list_project_doc_templates(call.principal, call.project_id)


async def set_project_doc_templates(call: Call) -> list[DocTemplateView]:
    return await call.core.templates.set_project_doc_templates(
        call.principal, call.project_id, call.body(ProjectTemplatesUpdate)
    )


def specs() -> list[RouteSpec]:
    t = "templates"
    return [
        RouteSpec(
            "GET",
            DOC,
            list_doc_templates,
            "List doc templates",
            t,
            query=TemplateListQuery,
            response=list[DocTemplateView],
            uses=TemplateService.list_doc_templates,
        ),
        RouteSpec(
            "POST",
            DOC,
            create_doc_template,
            "Create a doc template (platform admin)",
            t,
            body=DocTemplateCreate,
            response=DocTemplateView,
            status=201,
            uses=TemplateService.create_doc_template,
        ),
        RouteSpec(
            "GET",
            DOC + "/{template_id}",
            get_doc_template,
            "Get a doc template",
            t,
            response=DocTemplateView,
            uses=TemplateService.get_doc_template,
        ),
        RouteSpec(
            "PATCH",
            DOC + "/{template_id}",
            update_doc_template,
            "Change a doc template (platform admin)",
            t,
            body=DocTemplateUpdate,
            response=DocTemplateView,
            uses=TemplateService.update_doc_template,
        ),
        RouteSpec(
            "DELETE",
            DOC + "/{template_id}",
            delete_doc_template,
            "Soft-delete a doc template; existing pages keep working (platform admin)",
            t,
            status=204,
            uses=TemplateService.delete_doc_template,
        ),
        RouteSpec(
            "GET",
            PROJECT,
            list_project_templates,
            "List project templates",
            t,
            response=list[ProjectTemplateView],
            uses=TemplateService.list_project_templates,
        ),
        RouteSpec(
            "POST",
            PROJECT,
            create_project_template,
            "Create a project template (platform admin)",
            t,
            body=ProjectTemplateCreate,
            response=ProjectTemplateView,
            status=201,
            uses=TemplateService.create_project_template,
        ),
        RouteSpec(
            "GET",
            PROJECT + "/{template_id}",
            get_project_template,
            "Get a project template (also a deleted one, marked deleted)",
            t,
            response=ProjectTemplateView,
            uses=TemplateService.get_project_template,
        ),
        RouteSpec(
            "PATCH",
            PROJECT + "/{template_id}",
            update_project_template,
            "Change a project template (platform admin)",
            t,
            body=ProjectTemplateUpdate,
            response=ProjectTemplateView,
            uses=TemplateService.update_project_template,
        ),
        RouteSpec(
            "DELETE",
            PROJECT + "/{template_id}",
            delete_project_template,
            "Soft-delete a project template; projects on it keep working, none can join it (platform admin)",
            t,
            status=204,
            uses=TemplateService.delete_project_template,
        ),
        RouteSpec(
            "POST",
            P + "/project-template",
            assign_project_template,
            "Move a project to another project template (platform admin)",
            t,
            body=AssignTemplateInput,
            response=TemplateAssignment,
            uses=TemplateService.assign_project_template,
        ),
        RouteSpec(
            "GET",
            P + "/templates",
            list_project_doc_templates,
            "List the doc templates this project uses",
            t,
            response=list[DocTemplateView],
            uses=TemplateService.list_project_doc_templates,
        ),
        RouteSpec(
            "PUT",
            P + "/templates",
            set_project_doc_templates,
            "Choose the doc templates this project uses among those its project template allows (manager)",
            t,
            body=ProjectTemplatesUpdate,
            response=list[DocTemplateView],
            uses=TemplateService.set_project_doc_templates,
        ),
    ]
