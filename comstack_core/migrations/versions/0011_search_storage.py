"""search index storage on PostgreSQL: tsvectors kept in the row, a short GIN pending list

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # Ranking reads every match's tsvector. Out of line (TOAST) each read is an index probe and chunk reads;
    # rows up to a page's size keep it inline instead (the text columns still move out first).
    op.execute("ALTER TABLE page_search SET (toast_tuple_target = 8160)")
    op.execute("ALTER TABLE page_search ALTER COLUMN tsv SET STORAGE MAIN")
    # Every search scans the GIN index's pending list; the 4 MB default made searches after a burst of saves
    # several times slower until autovacuum ran. 256 kB keeps inserts batched and the scan short.
    op.execute("ALTER INDEX ix_page_search_tsv SET (gin_pending_list_limit = 256)")
    op.execute("SELECT gin_clean_pending_list('ix_page_search_tsv'::regclass)")
    # Store the existing rows' tsvectors the new way (a changed value is stored afresh).
    op.execute("UPDATE page_search SET tsv = tsv || ''::tsvector")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER INDEX ix_page_search_tsv RESET (gin_pending_list_limit)")
    op.execute("ALTER TABLE page_search ALTER COLUMN tsv SET STORAGE EXTENDED")
    op.execute("ALTER TABLE page_search RESET (toast_tuple_target)")
