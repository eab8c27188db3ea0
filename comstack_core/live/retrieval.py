"""Which live pages might answer a spoken question: a bounded candidate set from the full-text index.

search-docs asks that every word match, which suits typed keywords but not "how do I get my pages on
the website": a spoken question has filler the page never says. Here the question's content words are
OR-ed (each also as a prefix of its stem, so "publishing" finds "published"), ranked by the same BM25 /
ts_rank_cd weights (title above description above content), and only pages that a caller may hear
are kept: live, audience ``public``, not taken down, in the one language asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from ..services.page_store.search_index import pg_config, scope_token

MAX_TERMS = 12


@dataclass(frozen=True)
class LivePage:
    """A live page's identity and the live revision's text."""

    page_id: str
    slug: str
    language: str
    title: str
    description: str
    content: str  # Markdown (knowledge pages)
    body_source: str | None  # HTML (custom pages); None for knowledge pages
    rank: float = 0.0


def _forms(stem: str, words: list[str]) -> list[str]:
    """The words as asked and their stem as a prefix (five letters or more: a shorter prefix reaches
    unrelated words), ``\\w`` characters only, so they are safe in either engine's query syntax. A trailing
    ``*`` marks a prefix."""
    out: dict[str, None] = {}
    for word in words:
        for part in word.replace("'", " ").split():
            if any(c.isalnum() for c in part):
                out.setdefault(part, None)
    if len(stem) >= 5 and stem.isalnum():
        out.setdefault(stem + "*", None)
    return list(out)


def _fts(forms: list[str]) -> str:
    return "(" + " OR ".join(f'"{f[:-1]}"*' if f.endswith("*") else f'"{f}"' for f in forms) + ")"


def _tsquery(forms: list[str]) -> str:
    return "(" + " | ".join(f[:-1] + ":*" if f.endswith("*") else f for f in forms) + ")"


def _fts_scope(project_id: str, language: str) -> str:
    return " AND ".join(
        f'scope : "{scope_token(field, value)}"'
        for field, value in (
            ("project_id", project_id),
            ("variant", "live"),
            ("language", language),
            ("audience", "public"),
        )
    )


def _tsq_sql(language: str, param: str) -> str:
    return "(" + " || ".join(f"to_tsquery('{cfg}', :{param})" for cfg in sorted({pg_config(language), "simple"})) + ")"


_TEXT = "{title description content meta}"
_COLUMNS = "p.id AS page_id, p.slug, p.language, r.title, r.description, r.content, r.body_source"
_HEARABLE = "p.audience = 'public' AND p.unpublished = :no AND p.live_revision_id IS NOT NULL"
_PG_ROWS = "s.project_id = :project_id AND s.variant = 'live' AND s.language = :language AND s.audience = 'public'"


def _is_pg(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


async def candidates(
    session: AsyncSession, project_id: str, groups: dict[str, list[str]], language: str, *, limit: int = 6
) -> list[LivePage]:
    """The best ``limit`` hearable pages matching any of the question's terms (``groups``: stem -> words)."""
    forms = [f for stem, words in list(groups.items())[:MAX_TERMS] for f in _forms(stem, words)]
    if not forms:
        return []
    params: dict[str, Any] = {"project_id": project_id, "language": language, "no": False, "limit": limit}
    if _is_pg(session):
        tsq = _tsq_sql(language, "q")
        sql = (
            f"SELECT {_COLUMNS}, ts_rank_cd('{{0.1, 0.3, 0.6, 1.0}}', s.tsv, {tsq}) AS rank"
            " FROM page_search s JOIN pages p ON p.id = s.page_id"
            " JOIN page_revisions r ON r.id = p.live_revision_id"
            f" WHERE s.tsv @@ {tsq} AND {_PG_ROWS} AND {_HEARABLE}"
            " ORDER BY rank DESC, p.id LIMIT :limit"
        )
        params["q"] = _tsquery(forms)
    else:
        # bm25 weights per column as search-docs uses them: title 10, description 5, content 1, meta 2.
        sql = (
            "WITH top AS (SELECT s.rowid AS rid,"
            " bm25(page_search, 0, 0, 0, 0, 0, 0, 10.0, 5.0, 1.0, 2.0, 0) AS score FROM page_search s"
            " WHERE page_search MATCH :q ORDER BY score LIMIT :wide)"
            f" SELECT {_COLUMNS}, -top.score AS rank FROM top JOIN page_search s ON s.rowid = top.rid"
            " JOIN pages p ON p.id = s.page_id JOIN page_revisions r ON r.id = p.live_revision_id"
            f" WHERE s.project_id = :project_id AND s.language = :language AND {_HEARABLE}"
            " ORDER BY top.score, p.id LIMIT :limit"
        )
        params["q"] = f"{_TEXT} : {_fts(forms)} AND {_fts_scope(project_id, language)}"
        # The pages row decides hearability (the index's copy of the audience is only a pre-filter):
        # read a few more than needed so rows dropped by that check do not shrink the set.
        params["wide"] = limit * 2
    result = await (await session.connection()).execute(text(sql).bindparams(**params))
    return [LivePage(**dict(row._mapping)) for row in result]


async def page_counts(
    session: AsyncSession, project_id: str, groups: dict[str, list[str]], language: str
) -> tuple[int, dict[str, int]]:
    """How many live public pages of ``language`` there are, and how many contain each term: the IDF of
    a question's words over the whole knowledge, not only over the candidates."""
    stems = list(groups)[:MAX_TERMS]
    params: dict[str, Any] = {"project_id": project_id, "language": language}
    if _is_pg(session):
        counts = ["count(*)"]
        for i, stem in enumerate(stems):
            counts.append(f"count(*) FILTER (WHERE s.tsv @@ {_tsq_sql(language, f'q{i}')})")
            params[f"q{i}"] = _tsquery(_forms(stem, groups[stem]))
        sql = f"SELECT {', '.join(counts)} FROM page_search s WHERE {_PG_ROWS}"
        row = (await (await session.connection()).execute(text(sql).bindparams(**params))).one()
        values = list(row)
    else:
        scope = _fts_scope(project_id, language)
        parts = ["SELECT -1 AS i, count(*) AS n FROM page_search WHERE page_search MATCH :all"]
        params = {"all": scope}
        for i, stem in enumerate(stems):
            parts.append(f"SELECT {i}, count(*) FROM page_search WHERE page_search MATCH :q{i}")
            params[f"q{i}"] = f"{_TEXT} : {_fts(_forms(stem, groups[stem]))} AND {scope}"
        rows = (await (await session.connection()).execute(text(" UNION ALL ".join(parts)).bindparams(**params))).all()
        by_index = {int(r[0]): int(r[1]) for r in rows}
        values = [by_index[-1]] + [by_index[i] for i in range(len(stems))]
    return int(values[0]), {stem: int(v) for stem, v in zip(stems, values[1:], strict=True)}


async def live_page(
    session: AsyncSession, project_id: str, handle: str, languages: list[str]
) -> LivePage | None:
    """A live public page by its slug or path id, in the first of ``languages`` that has it."""
    marks = ", ".join(f":l{i}" for i in range(len(languages)))
    sql = (
        f"SELECT {_COLUMNS} FROM pages p JOIN page_revisions r ON r.id = p.live_revision_id"
        f" WHERE p.project_id = :project_id AND (p.id = :handle OR p.slug = :handle)"
        f" AND p.language IN ({marks}) AND {_HEARABLE}"
    )
    params: dict[str, Any] = {"project_id": project_id, "handle": handle, "no": False}
    params.update({f"l{i}": lang for i, lang in enumerate(languages)})
    result = await (await session.connection()).execute(text(sql).bindparams(**params))
    found = {row.language: LivePage(**dict(row._mapping)) for row in result}
    return next((found[lang] for lang in languages if lang in found), None)
