"""The reader tools as data: each names its input, its one ``core.reader`` call, and is read-only."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Generic, TypeVar

from mcp_types import Tool, ToolAnnotations
from pydantic import BaseModel

from comstack_core import Core
from comstack_core.reader import ReaderService, ReaderSite
from comstack_core.schemas.reader import (
    ReaderPage,
    ReaderPageList,
    ReaderPageListQuery,
    ReaderPageRef,
    ReaderSearchQuery,
    ReaderSearchResult,
)

from ..spec import READ, Hints, lean_schema, output_model

ArgsT = TypeVar("ArgsT", bound=BaseModel)


@dataclass(frozen=True)
class ReaderTool(Generic[ArgsT]):
    """Like ``ToolSpec``, for a public site: the handler gets the site instead of a caller. ``{site}`` in the
    description is the site's name, filled in when a client lists the tools."""

    name: str
    title: str
    description: str
    input: type[ArgsT]
    handler: Callable[[Core, ReaderSite, ArgsT], Awaitable[Any]]
    uses: Callable[..., Any]  # the ``ReaderService`` method the handler calls
    hints: Hints = READ  # a reader can change nothing: every reader tool is read-only

    @cached_property
    def output(self) -> type[BaseModel]:
        return output_model(self.handler)

    def to_mcp(self, site_name: str = "{site}") -> Tool:
        return Tool(
            name=self.name,
            title=self.title,
            description=self.description.replace("{site}", site_name),
            input_schema=lean_schema(self.input.model_json_schema()),
            output_schema=lean_schema(self.output.model_json_schema(mode="serialization")),
            annotations=ToolAnnotations(
                title=self.title,
                read_only_hint=self.hints.read_only,
                destructive_hint=self.hints.destructive,
                idempotent_hint=self.hints.idempotent,
                open_world_hint=self.hints.open_world,
            ),
        )


async def search(core: Core, site: ReaderSite, args: ReaderSearchQuery) -> ReaderSearchResult:
    return await core.reader.search(site, args)


async def get_page(core: Core, site: ReaderSite, args: ReaderPageRef) -> ReaderPage:
    return await core.reader.get_page(site, args)


async def list_pages(core: Core, site: ReaderSite, args: ReaderPageListQuery) -> ReaderPageList:
    return await core.reader.list_pages(site, args)


READER_TOOLS: list[ReaderTool[Any]] = [
    ReaderTool(
        name="search",
        title="Search the docs",
        description=(
            "Search the published documentation of {site} for pages about a topic. Give a few keywords (not a "
            "whole question). Returns the best pages first, each with its title, URL (to the matching section), "
            "that section's heading and a short snippet. Then call get-page with a hit's URL to read the page "
            "before answering; cite the URL."
        ),
        input=ReaderSearchQuery,
        handler=search,
        uses=ReaderService.search,
    ),
    ReaderTool(
        name="get-page",
        title="Read a page",
        description=(
            "Read one published page of {site} as Markdown, with its title, URL, the date it last changed and "
            "its versions in other languages. Pass a URL from search or list-pages, or the page's path on the "
            "site (e.g. '/guides/intro/')."
        ),
        input=ReaderPageRef,
        handler=get_page,
        uses=ReaderService.get_page,
    ),
    ReaderTool(
        name="list-pages",
        title="List the pages",
        description=(
            "List the published pages of {site} in one language: title, URL, the navigation section each is "
            "in, and its description, in the site's order, 100 at a time (pass next_offset as offset for more). "
            "Use it to see what the site covers; use search to find a topic."
        ),
        input=ReaderPageListQuery,
        handler=list_pages,
        uses=ReaderService.list_pages,
    ),
]
