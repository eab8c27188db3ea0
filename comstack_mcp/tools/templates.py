"""Global templates (platform admins): doc templates (content types) and project templates."""

from __future__ import annotations

from typing import Any

from comstack_core import Core, Principal
from comstack_core.schemas import (
    DocTemplateCreate,
    DocTemplateUpdate,
    DocTemplateView,
    ProjectTemplateCreate,
    ProjectTemplateUpdate,
    ProjectTemplateView,
    TemplateAssignment,
)
from comstack_core.services.templates import TemplateService

from ..spec import Hints, ToolSpec
from .common import ProjectArg, TemplateIdArg, part

CREATE = Hints(read_only=False, destructive=False, idempotent=False, open_world=False)
# Updating or assigning a template replaces its definition (fields, allowed modules) in place, keeping no
# earlier version, and projects lose what the new definition no longer allows: destructive.
UPDATE = Hints(read_only=False, destructive=True, idempotent=True, open_world=False)


async def create_doc_template(core: Core, principal: Principal, args: DocTemplateCreate) -> DocTemplateView:
    return await core.templates.create_doc_template(principal, args)


class UpdateDocTemplateArgs(DocTemplateUpdate, TemplateIdArg):
    pass


async def update_doc_template(
    core: Core, principal: Principal, args: UpdateDocTemplateArgs
) -> DocTemplateView:
    return await core.templates.update_doc_template(
        principal, args.template_id, part(args, DocTemplateUpdate)
    )


async def delete_doc_template(core: Core, principal: Principal, args: TemplateIdArg) -> DocTemplateView:
    return await core.templates.delete_doc_template(principal, args.template_id)


async def create_project_template(
    core: Core, principal: Principal, args: ProjectTemplateCreate
) -> ProjectTemplateView:
    return await core.templates.create_project_template(principal, args)


class UpdateProjectTemplateArgs(ProjectTemplateUpdate, TemplateIdArg):
    pass


async def update_project_template(
    core: Core, principal: Principal, args: UpdateProjectTemplateArgs
) -> ProjectTemplateView:
    return await core.templates.update_project_template(
        principal, args.template_id, part(args, ProjectTemplateUpdate)
    )


async def delete_project_template(
    core: Core, principal: Principal, args: TemplateIdArg
) -> ProjectTemplateView:
    return await core.templates.delete_project_template(principal, args.template_id)


class AssignProjectTemplateArgs(TemplateIdArg, ProjectArg):
    pass


async def assign_project_template(
    core: Core, principal: Principal, args: AssignProjectTemplateArgs
) -> TemplateAssignment:
    return await core.templates.assign_project_template(principal, args.project_id, args.template_id)


TOOLS: list[ToolSpec[Any]] = [
    ToolSpec(
        name="create-doc-template",
        title="Create a doc template",
        description=(
            "Platform admins: defines a new content type for every project: id, name, description, "
            "schema_org_type, slug_instructions and metadata fields (name, type string|number|boolean|date|array, "
            "required, schema_org, instructions). Projects use it once a project template allows it."
        ),
        input=DocTemplateCreate,
        handler=create_doc_template,
        uses=TemplateService.create_doc_template,
        hints=CREATE,
    ),
    ToolSpec(
        name="update-doc-template",
        title="Update a doc template",
        description=(
            "Platform admins: changes a doc template; given fields replace the old values (fields replaces the "
            "whole field list). Existing pages are revalidated against it on their next save."
        ),
        input=UpdateDocTemplateArgs,
        handler=update_doc_template,
        uses=TemplateService.update_doc_template,
        hints=UPDATE,
    ),
    ToolSpec(
        name="delete-doc-template",
        title="Delete a doc template",
        description=(
            "Platform admins: retires a doc template (soft delete). Existing pages keep working; no new page can "
            "use it. The built-in custom-page template cannot be deleted. Confirm with the user first."
        ),
        input=TemplateIdArg,
        handler=delete_doc_template,
        uses=TemplateService.delete_doc_template,
        hints=Hints(read_only=False, destructive=True, idempotent=True, open_world=False),
    ),
    ToolSpec(
        name="create-project-template",
        title="Create a project template",
        description=(
            "Platform admins: defines a project type: allowed doc templates and modules, modules on by default, "
            "per-tier quotas ({tier: {quota: value}}) and trial length. Assign it with assign-project-template."
        ),
        input=ProjectTemplateCreate,
        handler=create_project_template,
        uses=TemplateService.create_project_template,
        hints=CREATE,
    ),
    ToolSpec(
        name="update-project-template",
        title="Update a project template",
        description="Platform admins: changes a project template; given fields replace the old values.",
        input=UpdateProjectTemplateArgs,
        handler=update_project_template,
        uses=TemplateService.update_project_template,
        hints=UPDATE,
    ),
    ToolSpec(
        name="delete-project-template",
        title="Delete a project template",
        description=(
            "Platform admins: retires a project template (soft delete). Projects on it keep their modules and "
            "quotas; no project can be created on it or moved to it. The default knowledge-site template cannot "
            "be deleted. Confirm with the user first."
        ),
        input=TemplateIdArg,
        handler=delete_project_template,
        uses=TemplateService.delete_project_template,
        hints=Hints(read_only=False, destructive=True, idempotent=True, open_world=False),
    ),
    ToolSpec(
        name="assign-project-template",
        title="Assign a project template",
        description=(
            "Platform admins: moves a project to another project template. Modules and doc templates the new "
            "template does not allow are switched off; existing pages keep working."
        ),
        input=AssignProjectTemplateArgs,
        handler=assign_project_template,
        uses=TemplateService.assign_project_template,
        hints=UPDATE,
    ),
]
