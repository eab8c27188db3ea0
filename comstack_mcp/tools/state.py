"""Project state: the overview, one page, the page list, search, the project's doc templates."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from comstack_core import Core, Principal
from comstack_core.schemas import (
    DocTemplateView,
    PageFilter,
    PageList,
    PageRef,
    PageView,
    ProjectState,
    SearchQuery,
    SearchResult,
)
from comstack_core.schemas.base import View
from comstack_core.services.pages import PageService
from comstack_core.services.search import SearchService
from comstack_core.services.state import StateService
from comstack_core.services.templates import TemplateService

from ..spec import READ, ToolSpec
from .common import ProjectArg, part


async def get_project_state(core: Core, principal: Principal, args: ProjectArg) -> ProjectState:
    return await core.state.get_project_state(principal, args.project_id)


class PageContentArgs(PageRef, ProjectArg):
    variant: Literal["auto", "draft", "live"] = Field(
        default="auto",
        description="'auto': the draft when there is one and you may edit, else live; 'draft' or 'live' to choose.",
    )


async def get_page_content(core: Core, principal: Principal, args: PageContentArgs) -> PageView:
    # The arguments are a PageRef already, checked by its own rules: no slice validated a second time.
    return await core.pages.get_page(principal, args.project_id, args, variant=args.variant)


class ListPagesArgs(PageFilter, ProjectArg):
    pass


async def list_pages(core: Core, principal: Principal, args: ListPagesArgs) -> PageList:
    return await core.pages.list_pages(principal, args.project_id, part(args, PageFilter))


class SearchArgs(SearchQuery, ProjectArg):
    pass


async def search_docs(core: Core, principal: Principal, args: SearchArgs) -> SearchResult:
    return await core.search.search_docs(principal, args.project_id, part(args, SearchQuery))


class DocTemplateList(View):
    templates: list[DocTemplateView]


async def list_project_doc_templates(core: Core, principal: Principal, args: ProjectArg) -> DocTemplateList:
    return DocTemplateList(templates=await core.templates.list_project_doc_templates(principal, args.project_id))


TOOLS: list[ToolSpec[Any]] = [
    ToolSpec(
        name="get-project-state",
        title="Get project state",
        description=(
            "Everything needed to plan the next step, in one call: the project's name (needed as project_name "
            "for destructive tools), site_url, your role, locales, translation mode, doc templates with their "
            "required fields, pages grouped by status (draft, ready, live, unpublished) each with slug, "
            "language, version and next_action, the navigation tree, pending site changes and a workflow hint. "
            "Call it first for a project; then get-page-content for the page to work on."
        ),
        input=ProjectArg,
        handler=get_project_state,
        uses=StateService.get_project_state,
        hints=READ,
    ),
    ToolSpec(
        name="get-page-content",
        title="Get page content",
        description=(
            "Reads one page by path, or by slug + language (language defaults to the project's default locale): "
            "title, description, Markdown content (or the HTML body of a custom page), metadata, status, "
            "next_action and version. Editors get the draft when one exists. Keep 'version': update-page needs it "
            "as base_version."
        ),
        input=PageContentArgs,
        handler=get_page_content,
        uses=PageService.get_page,
        hints=READ,
    ),
    ToolSpec(
        name="list-pages",
        title="List pages",
        description=(
            "Lists a project's pages (path, slug, language, title, status, next_action, version), filtered by "
            "language, status, audience, doc template, page type or slug prefix, with paging (limit, offset; "
            "'total' is the full count). Use it to find pages by slug; use search-docs to find them by words."
        ),
        input=ListPagesArgs,
        handler=list_pages,
        uses=PageService.list_pages,
        hints=READ,
    ),
    ToolSpec(
        name="search-docs",
        title="Search pages",
        description=(
            "Ranked keyword search over a project's pages (title, description, content, metadata) with snippets. "
            "Live pages by default; include_drafts=true also searches drafts. Filters: language, "
            "audience, status, doc template. Use it before creating a page to avoid duplicates, or to find the "
            "page a user describes; then get-page-content."
        ),
        input=SearchArgs,
        handler=search_docs,
        uses=SearchService.search_docs,
        hints=READ,
    ),
    ToolSpec(
        name="list-project-doc-templates",
        title="List the project's doc templates",
        description=(
            "Lists the doc templates (content types) this project uses, with their metadata fields, which are "
            "required, their schema.org mapping and slug instructions. Call it before create-page to choose "
            "doc_template_id and to fill the required metadata."
        ),
        input=ProjectArg,
        handler=list_project_doc_templates,
        uses=TemplateService.list_project_doc_templates,
        hints=READ,
    ),
]
