"""search-docs: ranked keyword search over a project's pages."""

from __future__ import annotations

from ..auth import Principal
from ..errors import InvalidInput
from ..rules.locales import project_locales
from ..schemas import SearchHit, SearchQuery, SearchResult
from ..usecases import Need, use_case
from .access import read_access
from .base import Service
from .page_store import search_index
from .page_store.queries import resolve_language


class SearchService(Service):
    @use_case(Need.viewer, writes=False)
    async def search_docs(self, principal: Principal, project_id: str, query: SearchQuery) -> SearchResult:
        # Each step is one statement outside any session: a session and its transaction cost more round
        # trips than the search itself on a narrow query (PostgreSQL runs each statement of a read
        # transaction in its own snapshot at READ COMMITTED anyway).
        access = await read_access(self.db, principal, project_id, now=self.now())
        # Viewers read everything in their project, drafts included (SPEC §2), so they may search them too.
        words = search_index.tokens(query.query)
        if not words:
            raise InvalidInput("The query has no words to search for.", code="empty_query")
        project = access.project
        filters = {
            "language": resolve_language(project, query.language) if query.language else "",
            "audience": query.audience or "",
            "template": query.doc_template_id or "",
            "status": query.status or "",
        }
        configs = sorted(
            {search_index.pg_config(t) for t in project_locales(project.default_locale, project.modules)}
            | {"simple"}
        )
        rows = await search_index.search(
            self.db,
            project_id,
            query.query,
            variants=("live", "draft") if query.include_drafts else ("live",),
            filters=filters,
            limit=query.limit * (2 if query.include_drafts else 1),
            pg_configs=configs,
        )
        hits: list[SearchHit] = []
        seen: set[str] = set()
        for row in rows:
            if len(hits) == query.limit:
                break
            # With drafts included a page may match twice; keep its best-ranked variant only.
            if row["page_id"] in seen:
                continue
            seen.add(row["page_id"])
            hits.append(
                SearchHit(
                    path=row["page_id"],
                    slug=row["slug"],
                    language=row["language"],
                    title=row["title"],
                    description=row["description"],
                    snippet=" ".join(search_index.snippet(row["content"] or "", words).split()),
                    variant=row["variant"],
                    status=row["status"],
                    score=float(row["score"]),
                )
            )
        return SearchResult(query=query.query, total=len(hits), hits=hits)
