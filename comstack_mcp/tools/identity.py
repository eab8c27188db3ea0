"""Identity: who am I, which projects, a new project, the guide, feedback about the product."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from comstack_core import Core, Principal
from comstack_core.schemas import FeedbackCreate, FeedbackReceipt, MeView, ProjectCreate, ProjectView
from comstack_core.schemas.base import Input, View

from .. import texts
from ..spec import READ, Hints, MarkdownText, ToolSpec
from .common import NoArgs


async def whoami(core: Core, principal: Principal, args: NoArgs) -> MeView:
    return await core.users.whoami(principal)


class ProjectList(View):
    projects: list[ProjectView]


async def list_my_projects(core: Core, principal: Principal, args: NoArgs) -> ProjectList:
    return ProjectList(projects=await core.projects.list_my_projects(principal))


async def create_project(core: Core, principal: Principal, args: ProjectCreate) -> ProjectView:
    return await core.projects.create_project(principal, args)


class GuideArgs(Input):
    topic: Literal["workflow", "publishing", "cookbook", "faq", "lighthouse", "errors"] = Field(
        default="workflow",
        description="workflow: the editing loop and rules (start here); publishing: manifest, confirmation and "
        "status; cookbook: recipes for common requests; faq; lighthouse: rules for fast, accessible custom "
        "pages; errors: every error code and what to do.",
    )


async def get_guide(core: Core, principal: Principal, args: GuideArgs) -> MarkdownText:
    return MarkdownText(markdown=texts.guide(args.topic))


async def report_feedback(core: Core, principal: Principal, args: FeedbackCreate) -> FeedbackReceipt:
    return await core.feedback.report_feedback(principal, args)


TOOLS: list[ToolSpec[Any]] = [
    ToolSpec(
        name="whoami",
        title="Who am I",
        description=(
            "Shows who this connection acts as: the user (or API key), its scopes, and the projects it can use "
            "with its role on each. Call it first when unsure which project to work on or why a call was "
            "refused; then call get-project-state for the chosen project."
        ),
        input=NoArgs,
        handler=whoami,
        min_role="viewer",
        writes=False,
        hints=READ,
    ),
    ToolSpec(
        name="list-my-projects",
        title="List my projects",
        description=(
            "Lists the projects you can use, with id, name, site_url, default locale, enabled modules and your "
            "role. Use it to find the project_id every project tool needs; then call get-project-state."
        ),
        input=NoArgs,
        handler=list_my_projects,
        min_role="viewer",
        writes=False,
        hints=READ,
    ),
    ToolSpec(
        name="create-project",
        title="Create a project",
        description=(
            "Creates a new project (a site plus knowledge base) owned by you; you become its manager. "
            "template_id picks the project type ('knowledge-site' for docs/help centers, 'business-voice' when a "
            "voice agent should answer from the knowledge). Only when the user asks for a new project; returns "
            "its id, then call get-project-state. Not available to API keys."
        ),
        input=ProjectCreate,
        handler=create_project,
        min_role="viewer",
        writes=True,
        hints=Hints(read_only=False, destructive=False, idempotent=False, open_world=False),
        keys_allowed=False,
    ),
    ToolSpec(
        name="get-guide",
        title="Read the ComStack guide",
        description=(
            "Returns ComStack's guide as Markdown: the standard workflow (topic 'workflow', read it before your "
            "first edit), publishing, a cookbook of recipes, FAQ, Lighthouse rules for custom pages, or the error "
            "codes. The same texts are resources (comstack://guide, ...)."
        ),
        input=GuideArgs,
        handler=get_guide,
        min_role="viewer",
        writes=False,
        hints=READ,
    ),
    ToolSpec(
        name="report-feedback",
        title="Report feedback about ComStack",
        description=(
            "Sends feedback about ComStack itself to the people who run this installation: a bug (a tool failed "
            "or answered wrongly), something confusing (a tool, argument or error message that was hard to "
            "use), a missing feature, or praise. Use it when the user asks you to pass something on, or when "
            "ComStack got in the way of the user's task and they would want it fixed; not for the content of "
            "their pages. One report per issue: what you tried, what happened, what you expected; name the tool "
            "and the project_id when it concerns one. No secrets or personal data. A daily cap applies. Returns "
            "the report's id; then carry on with the user's task."
        ),
        input=FeedbackCreate,
        handler=report_feedback,
        min_role="viewer",
        writes=True,
        # Each call stores a new report (not idempotent); it changes no project and reaches no outside system.
        hints=Hints(read_only=False, destructive=False, idempotent=False, open_world=False),
    ),
]
