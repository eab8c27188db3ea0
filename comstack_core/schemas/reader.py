"""Inputs and views of a published site's public reader tools (search, read, list its live pages)."""

from __future__ import annotations

from pydantic import Field

from .base import Input, View

LOCALE_DOC = (
    "Only pages in this language (a BCP-47 tag such as 'en' or 'es-MX', or its short form 'es'); "
    "the site's default language when omitted."
)


class ReaderSearchQuery(Input):
    query: str = Field(min_length=1, max_length=200, description="Words to look for, e.g. 'reset password'.")
    locale: str | None = Field(default=None, max_length=35, description=LOCALE_DOC)
    limit: int = Field(default=5, ge=1, le=20, description="How many hits to return, best first (1-20).")


class ReaderHit(View):
    title: str = Field(description="The page's title.")
    url: str = Field(description="The page's public URL, with the heading's anchor when the words are under one.")
    heading: str | None = Field(description="The heading of the section the words were found in, if any.")
    snippet: str = Field(description="Plain text around the words found, from the page.")
    locale: str = Field(description="The page's language.")


class ReaderSearchResult(View):
    query: str
    locale: str = Field(description="The language searched.")
    hits: list[ReaderHit]


class ReaderPageRef(Input):
    url: str = Field(
        min_length=1, max_length=2000,
        description="The page's URL as search or list-pages gave it (a '#heading' is ignored), or its path on "
                    "the site such as '/guides/intro/' or 'guides/intro'.",
    )


class ReaderAlternate(View):
    locale: str
    url: str


class ReaderPage(View):
    title: str
    url: str = Field(description="The page's public URL.")
    markdown_url: str | None = Field(description="Where the same Markdown is served (null for custom pages).")
    locale: str
    last_updated: str | None = Field(description="Date of the page's last published change (YYYY-MM-DD).")
    alternates: list[ReaderAlternate] = Field(description="The same page in the site's other languages.")
    markdown: str = Field(description="The page's content as Markdown.")


class ReaderPageListQuery(Input):
    locale: str | None = Field(default=None, max_length=35, description=LOCALE_DOC)
    offset: int = Field(default=0, ge=0, description="Skip this many pages (take next_offset from the last answer).")
    limit: int = Field(default=100, ge=1, le=200, description="How many pages to return (1-200).")


class ReaderPageItem(View):
    title: str
    url: str
    section: str | None = Field(description="The site's navigation group the page is listed under, if any.")
    summary: str = Field(description="The page's description.")


class ReaderPageList(View):
    locale: str
    total: int = Field(description="How many live pages the site has in this language.")
    pages: list[ReaderPageItem]
    next_offset: int | None = Field(description="The offset of the next page of results; null at the end.")
