"""search index rows on PostgreSQL: the text out of line, the tsvector in the row

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # A search ranks every match, reading its row for the tsvector. With a target of a whole page (0011)
    # the page's text stayed in the row too, so a broad search read every row's text for nothing. At the
    # smallest target the text columns move out of line first; the tsvector (STORAGE MAIN since 0011)
    # stays in the row unless the row could not hold it even alone.
    op.execute("ALTER TABLE page_search SET (toast_tuple_target = 128)")
    _rewrite()


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE page_search SET (toast_tuple_target = 8160)")
    _rewrite()


def _rewrite() -> None:
    # Store the existing rows the new way. CLUSTER writes a compact copy of the table (an UPDATE would leave
    # the old rows' space in it, which every sequential scan still reads) and, unlike VACUUM FULL, may run
    # in the migration's transaction; the table is not left marked as clustered.
    op.execute("CLUSTER page_search USING page_search_pkey")
    op.execute("ALTER TABLE page_search SET WITHOUT CLUSTER")
