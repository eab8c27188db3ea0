"""The full-text index behind search-docs: SQLite FTS5 (BM25) or PostgreSQL tsvector.

One row per (page, variant) where variant is ``live`` or ``draft``. Page writes call :func:`reindex`
inside their own transaction, so the index never disagrees with the pages.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from sqlalchemy import TextClause, text
from sqlmodel.ext.asyncio.session import AsyncSession

from ...db import Database, StatementConnection
from ...models import Page, PageRevision
from ...rules.locales import base_language
from . import tsquery

# PostgreSQL text-search configurations by base language; anything else uses 'simple'.
PG_CONFIGS = {
    "ar": "arabic",
    "da": "danish",
    "de": "german",
    "en": "english",
    "es": "spanish",
    "fi": "finnish",
    "fr": "french",
    "hu": "hungarian",
    "it": "italian",
    "nl": "dutch",
    "no": "norwegian",
    "nb": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sv": "swedish",
    "tr": "turkish",
}

_TOKEN = re.compile(r"\w+", re.UNICODE)


def pg_config(language: str) -> str:
    return PG_CONFIGS.get(base_language(language), "simple")


def metadata_text(metadata: dict[str, Any]) -> str:
    parts: list[str] = []
    for key, value in metadata.items():
        if isinstance(value, str | int | float):
            parts.append(f"{key} {value}")
        elif value is not None:
            parts.append(f"{key} {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(parts)


def _body(rev: PageRevision) -> str:
    if rev.body_source is not None:
        from selectolax.lexbor import LexborHTMLParser

        tree = LexborHTMLParser(rev.body_source)
        for node in tree.css("script, style"):
            node.decompose()
        return tree.text(separator=" ") if tree.body is not None else ""
    return rev.content


@cache
def _rows_where(fields: tuple[str, ...], postgres: bool) -> TextClause:
    """On PostgreSQL the delete of the rows whose ``fields`` equal the parameters; on SQLite the select of
    their rowids. Built once per set of fields (parsing a statement's text costs as much as a small delete)."""
    exact = " AND ".join(f"{field} = :{field}" for field in fields)
    if postgres:
        return text(f"DELETE FROM page_search WHERE {exact}")
    # On FTS5 a WHERE on an UNINDEXED column scans the whole table (quadratic when a publish reindexes
    # thousands of pages); the scope tokens find the rows through the full-text index instead.
    # The column checks keep it exact even if two values ever tokenized alike.
    return text(f"SELECT rowid FROM page_search WHERE page_search MATCH :q AND {exact}")


_DELETE_ROW = text("DELETE FROM page_search WHERE rowid = :rowid")


async def _delete_where(conn: StatementConnection, **match: str) -> None:
    """Delete the rows whose columns equal ``match`` (column -> value)."""
    if conn.dialect.name == "postgresql":
        await conn.execute(_rows_where(tuple(match), True), match)
        return
    tokens = " AND ".join(f'"{scope_token(field, value)}"' for field, value in match.items())
    found = await conn.execute(_rows_where(tuple(match), False), {"q": f"scope : ({tokens})", **match})
    # Found first, then deleted by rowid: FTS5 deletes a row about three times slower while the MATCH
    # that found it is still running (one statement, ``rowid IN (SELECT ... MATCH ...)``).
    rowids = [{"rowid": rowid} for rowid in found.scalars()]
    if rowids:
        await conn.execute(_DELETE_ROW, rowids[0] if len(rowids) == 1 else rowids)


async def remove(session: AsyncSession, page_id: str) -> None:
    await _delete_where(await session.connection(), page_id=page_id)


async def remove_project(session: AsyncSession, project_id: str) -> None:
    """Drop a deleted project's rows. PostgreSQL would cascade from pages, but the SQLite FTS5 table has no
    foreign keys, so without this a deleted project's text would stay in the database file."""
    await _delete_where(await session.connection(), project_id=project_id)


async def reindex(session: AsyncSession, page: Page) -> None:
    revisions = {}
    for variant, revision_id in (("live", page.live_revision_id), ("draft", page.draft_revision_id)):
        rev = await session.get(PageRevision, revision_id) if revision_id else None
        if rev is not None:
            revisions[variant] = rev
    await write_page_rows(await session.connection(), page, revisions)


async def write_page_rows(conn: StatementConnection, page: Page, revisions: dict[str, PageRevision]) -> None:
    """Replace all of the page's rows with one per variant in ``revisions`` (variant -> revision)."""
    await _delete_where(conn, page_id=page.id)
    await _insert(conn, [(page, variant, rev) for variant, rev in revisions.items()])


async def reindex_draft(session: AsyncSession, page: Page, rev: PageRevision) -> None:
    """Replace only the draft's row: saving a draft leaves the live row as it was (when the page's own
    indexed columns — language, audience, template — did not change; otherwise use ``reindex``)."""
    await write_draft_row(await session.connection(), page, rev)


async def write_draft_row(conn: StatementConnection, page: Page, rev: PageRevision) -> None:
    """``reindex_draft`` on a connection."""
    await _delete_where(conn, page_id=page.id, variant="draft")
    await _insert(conn, [(page, "draft", rev)])


async def index_new(session: AsyncSession, items: list[tuple[Page, PageRevision]]) -> None:
    """Index the drafts of pages that have no rows yet (just created), in one statement."""
    await _insert(await session.connection(), [(page, "draft", rev) for page, rev in items])


async def _insert(conn: StatementConnection, items: list[tuple[Page, str, PageRevision]]) -> None:
    if not items:
        return
    postgres = conn.dialect.name == "postgresql"
    rows = []
    for page, variant, rev in items:
        row = {
            "page_id": page.id,
            "variant": variant,
            "project_id": page.project_id,
            "language": page.language,
            "audience": page.audience,
            "template": page.doc_template_id,
            "title": rev.title,
            "description": rev.description,
            "content": _body(rev),
            "meta": metadata_text(rev.page_metadata or {}),
        }
        if postgres:
            row["cfg"] = pg_config(page.language)
        else:
            row["scope"] = scope_tokens(row)
        rows.append(row)
    await conn.execute(_INSERT[postgres], rows[0] if len(rows) == 1 else rows)


_INSERT = {
    True: text(
        "INSERT INTO page_search (page_id, variant, project_id, language, audience, template, title,"
        " description, content, meta, tsv) VALUES (:page_id, :variant, :project_id, :language, :audience,"
        " :template, :title, :description, :content, :meta,"
        " setweight(to_tsvector(CAST(:cfg AS regconfig), :title), 'A') ||"
        " setweight(to_tsvector(CAST(:cfg AS regconfig), :description), 'B') ||"
        " setweight(to_tsvector(CAST(:cfg AS regconfig), :meta), 'C') ||"
        " setweight(to_tsvector(CAST(:cfg AS regconfig), :content), 'D'))"
    ),
    False: text(
        "INSERT INTO page_search (page_id, variant, project_id, language, audience, template, title,"
        " description, content, meta, scope) VALUES (:page_id, :variant, :project_id, :language,"
        " :audience, :template, :title, :description, :content, :meta, :scope)"
    ),
}


def tokens(query: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(query)][:32]


# FTS5 filters on UNINDEXED columns read every matching row's stored text, which on common words costs
# more than the search. So the filters are also written as tokens of an indexed ``scope`` column and
# applied inside MATCH, where they are doclist intersections.
SCOPE_FIELDS = {
    "page_id": "g",
    "project_id": "p",
    "variant": "v",
    "language": "l",
    "audience": "a",
    "template": "t",
}


def scope_token(field: str, value: str) -> str:
    return SCOPE_FIELDS[field] + re.sub(r"[^a-z0-9]", "", value.lower())


def scope_tokens(row: dict[str, Any]) -> str:
    return " ".join(scope_token(field, str(row[field])) for field in SCOPE_FIELDS)


def fts5_query(words: list[str], scope: dict[str, list[str]] | None = None) -> str:
    """Every word must match (AND) in the text columns, the last one as a prefix so search-as-you-type
    works; ``scope`` (field -> allowed values) narrows through the scope column."""
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    parts = ["{title description content meta} : (" + " ".join(quoted) + ")"]
    for field, values in (scope or {}).items():
        parts.append("scope : (" + " OR ".join(f'"{scope_token(field, v)}"' for v in values) + ")")
    return " AND ".join(parts)


async def search(
    db: Database,
    project_id: str,
    query: str,
    *,
    variants: tuple[str, ...],
    filters: dict[str, str],
    limit: int,
    pg_configs: list[str],
) -> list[dict[str, Any]]:
    """Ranked hits with the page's slug, language, status and text (for ``snippet``, which the caller cuts
    for the hits it keeps)."""
    words = tokens(query)
    if not words:
        return []
    where = ["s.project_id = :project_id"]
    params: dict[str, Any] = {"project_id": project_id, "limit": limit}
    where.append("s.variant IN (" + ", ".join(f":v{i}" for i in range(len(variants))) + ")")
    params.update({f"v{i}": v for i, v in enumerate(variants)})
    for column in ("language", "audience", "template"):
        if filters.get(column):
            where.append(f"s.{column} = :{column}")
            params[column] = filters[column]
    if filters.get("status"):
        where.append("p.status = :status")
        params["status"] = filters["status"]
    if not db.is_sqlite:
        params["q"] = await _pg_query(db, words, pg_configs)
        join = " JOIN pages p ON p.id = s.page_id" if filters.get("status") else ""
        # Rank every match (reading each one's tsvector) but carry only keys through the sort; the kept
        # rows' text is read afterwards, and their snippets are cut in Python as on SQLite (ts_headline
        # re-parses each document and cost more than the ranking on common words).
        sql = (
            "WITH hits AS (SELECT s.page_id, s.variant,"
            " ts_rank_cd('{0.1, 0.3, 0.6, 1.0}', s.tsv, CAST(:q AS tsquery)) AS score"
            f" FROM page_search s{join} WHERE s.tsv @@ CAST(:q AS tsquery) AND {' AND '.join(where)}"
            " ORDER BY score DESC, s.page_id, s.variant LIMIT :limit)"
            " SELECT h.page_id, h.variant, s.title, s.description, s.content, h.score, p.slug, p.language,"
            " p.status FROM hits h JOIN page_search s ON s.page_id = h.page_id AND s.variant = h.variant"
            " JOIN pages p ON p.id = h.page_id ORDER BY h.score DESC, h.page_id, h.variant"
        )
    else:
        scope = {"project_id": [project_id]}
        if len(variants) == 1:  # both variants is no filter at all; skip the intersection
            scope["variant"] = list(variants)
        scope.update(
            {
                field: [filters[key]]
                for key, field in (
                    ("language", "language"),
                    ("audience", "audience"),
                    ("template", "template"),
                )
                if filters.get(key)
            }
        )
        params = {"q": fts5_query(words, scope), "limit": limit}
        status = ""
        if filters.get("status"):
            status, params["status"] = " AND p.status = :status", filters["status"]
        weights = "0, 0, 0, 0, 0, 0, 10.0, 5.0, 1.0, 2.0, 0"
        # Rank inside FTS5, then read the kept rows by rowid only: a second MATCH (which snippet() needs)
        # re-evaluates the query per row and costs more than the search; snippets are cut in Python.
        sql = (
            f"WITH top AS (SELECT s.rowid AS rid, bm25(page_search, {weights}) AS rank FROM page_search s"
            f"{' JOIN pages p ON p.id = s.page_id' if status else ''} WHERE page_search MATCH :q{status}"
            " ORDER BY rank LIMIT :limit)"
            " SELECT s.page_id, s.variant, s.title, s.description, s.content, -top.rank AS score, p.slug,"
            " p.language, p.status FROM top JOIN page_search s ON s.rowid = top.rid"
            " JOIN pages p ON p.id = s.page_id ORDER BY top.rank, s.page_id"
        )
    return [dict(row._mapping) for row in await db.fetch_all(text(sql), params)]


async def _pg_query(db: Database, words: list[str], pg_configs: list[str]) -> str:
    """The tsquery (as text) that search-docs matches and ranks with: the OR of the configurations'
    queries, written smaller when an equivalent smaller query exists (see ``tsquery``)."""
    # Words are \w+ only, so they are safe in to_tsquery syntax; the last one matches as a prefix.
    each = [f"CAST(to_tsquery('{cfg}', :q) AS text)" for cfg in pg_configs]
    every = "CAST(" + " || ".join(f"to_tsquery('{cfg}', :q)" for cfg in pg_configs) + " AS text)"
    row = await db.fetch_one(text(f"SELECT {', '.join(each)}, {every}"), {"q": " & ".join(words) + ":*"})
    assert row is not None
    printed = list(row)
    smaller = tsquery.reduced(printed[:-1])
    return printed[-1] if smaller is None else smaller


def snippet(content: str, words: list[str], size: int = 16) -> str:
    """About ``size`` words (at least 4) of ``content`` around the first query word, hits in [brackets]."""
    # Stems, roughly: "installing" should light up for "install" and the other way round.
    stems = sorted({w[: max(3, len(w) - 2)] for w in words}, key=len, reverse=True)
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, stems)) + r")\w*", re.IGNORECASE)
    found = pattern.search(content)
    start = found.start() if found else 0
    # Split off only the words the window can hold (at most size // 4 before the hit, size after it) and
    # one more piece, which is the rest of the text and shows whether there is more: splitting a whole
    # page cost more than the rest of the snippet.
    keep = size // 4
    ahead = content[:start].rsplit(None, keep) if start else []
    before = ahead[-keep:]
    after = content[start:].split(None, size)
    window = before + after[: size - len(before)]
    text = " ".join(f"[{w}]" if pattern.match(w.strip("()[]*_`,.;:!?\"'")) else w for w in window)
    return ("…" if len(ahead) > len(before) else "") + text + ("…" if len(after) > size - len(before) else "")
