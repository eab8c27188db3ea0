"""Pages under ``/api/projects/{project_id}/docs``, addressed by their stable ``{path}`` id."""

from __future__ import annotations

from starlette.responses import HTMLResponse

from comstack_core.schemas import (
    PageCreate,
    PageFilter,
    PageList,
    PageRef,
    PageSaved,
    PageStatusUpdate,
    PageUpdate,
    PageView,
    RevisionView,
    SearchResult,
    VisibilityUpdate,
)
from comstack_core.services.editing import EditService
from comstack_core.services.pages import PageService
from comstack_core.services.search import SearchService

from .models import DocSearchQuery, ProjectDelete, RestoreInput, VariantQuery
from .preview import preview_response
from .spec import Call, RouteSpec

DOCS = "/api/projects/{project_id}/docs"
DOC = DOCS + "/{path}"


def _ref(call: Call) -> PageRef:
    return PageRef(path=call.param("path"))


async def list_pages(call: Call) -> PageList:
    return await call.core.pages.list_pages(call.principal, call.project_id, call.query(PageFilter))


async def search_docs(call: Call) -> SearchResult:
    return await call.core.search.search_docs(call.principal, call.project_id, call.query(DocSearchQuery))


async def get_page(call: Call) -> PageView:
    return await call.core.pages.get_page(
        call.principal, call.project_id, _ref(call), variant=call.query(VariantQuery).variant
    )


async def create_page(call: Call) -> PageSaved:
    return await call.core.editing.create_page(call.principal, call.project_id, call.body(PageCreate))


async def update_page(call: Call) -> PageSaved:
    return await call.core.editing.update_page(
        call.principal, call.project_id, _ref(call), call.body(PageUpdate)
    )


async def set_page_status(call: Call) -> PageView:
    return await call.core.pages.set_page_status(
        call.principal, call.project_id, _ref(call), call.body(PageStatusUpdate)
    )


async def set_page_visibility(call: Call) -> PageView:
    return await call.core.pages.set_visibility(
        call.principal, call.project_id, _ref(call), call.body(VisibilityUpdate)
    )


async def delete_page(call: Call) -> None:
    await call.core.pages.delete_page(
        call.principal, call.project_id, _ref(call), call.body(ProjectDelete).project_name
    )


async def list_page_revisions(call: Call) -> list[RevisionView]:
    return await call.core.pages.list_revisions(call.principal, call.project_id, _ref(call))


async def restore_page_revision(call: Call) -> PageView:
    return await call.core.pages.restore_revision(
        call.principal,
        call.project_id,
        _ref(call),
        int(call.params["number"]),
        call.body(RestoreInput).base_version,
    )


async def preview_page(call: Call) -> HTMLResponse:
    html = await call.core.pages.preview_page(
        call.principal, call.project_id, _ref(call), variant=call.query(VariantQuery).variant
    )
    return preview_response(html)


def specs() -> list[RouteSpec]:
    t = "pages"
    return [
        RouteSpec(
            "GET",
            DOCS,
            list_pages,
            "List pages, with filters",
            t,
            query=PageFilter,
            response=PageList,
            uses=PageService.list_pages,
        ),
        # Before DOC: otherwise 'search' would be taken for a page path.
        RouteSpec(
            "GET",
            DOCS + "/search",
            search_docs,
            "Ranked keyword search over the project's pages",
            t,
            query=DocSearchQuery,
            response=SearchResult,
            uses=SearchService.search_docs,
        ),
        RouteSpec(
            "GET",
            DOC,
            get_page,
            "Get a page (draft for editors by default, or ?variant=live|draft)",
            t,
            query=VariantQuery,
            response=PageView,
            uses=PageService.get_page,
        ),
        RouteSpec(
            "POST",
            DOCS,
            create_page,
            "Create a knowledge page as a draft (editor)",
            t,
            body=PageCreate,
            response=PageSaved,
            status=201,
            uses=EditService.create_page,
        ),
        RouteSpec(
            "PATCH",
            DOC,
            update_page,
            "Edit a knowledge page's draft; metadata is merged (editor)",
            t,
            body=PageUpdate,
            response=PageSaved,
            uses=EditService.update_page,
        ),
        RouteSpec(
            "PATCH",
            DOC + "/status",
            set_page_status,
            "Approve (ready), withdraw approval (draft) or take down (unpublished, manager)",
            t,
            body=PageStatusUpdate,
            response=PageView,
            uses=PageService.set_page_status,
        ),
        RouteSpec(
            "PATCH",
            DOC + "/visibility",
            set_page_visibility,
            "Set the audience: public or internal (editor)",
            t,
            body=VisibilityUpdate,
            response=PageView,
            uses=PageService.set_visibility,
        ),
        RouteSpec(
            "DELETE",
            DOC,
            delete_page,
            "Delete a page and its revisions (manager, name echo)",
            t,
            body=ProjectDelete,
            query=ProjectDelete,
            body_or_query=True,
            status=204,
            uses=PageService.delete_page,
        ),
        RouteSpec(
            "GET",
            DOC + "/revisions",
            list_page_revisions,
            "List a page's revisions, newest first",
            t,
            response=list[RevisionView],
            uses=PageService.list_revisions,
        ),
        RouteSpec(
            "POST",
            DOC + "/revisions/{number}/restore",
            restore_page_revision,
            "Copy an old revision into the draft (editor)",
            t,
            body=RestoreInput,
            response=PageView,
            uses=PageService.restore_revision,
        ),
        RouteSpec(
            "GET",
            DOC + "/preview",
            preview_page,
            "Preview the page as HTML (draft or live)",
            t,
            query=VariantQuery,
            media_type="text/html",
            uses=PageService.preview_page,
        ),
    ]
