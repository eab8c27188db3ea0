"""publish promotions (what promotion changed, a row per page instead of one JSON record per publish)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import comstack_core.models.types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_publishes = sa.table(
    "publishes", sa.column("id", sa.String()), sa.column("promoted", comstack_core.models.types.JsonType)
)
_promotions = sa.table(
    "publish_promotions",
    sa.column("publish_id", sa.String()),
    sa.column("page_id", sa.String()),
    sa.column("previous_live", sa.String()),
    sa.column("previous_hash", sa.String()),
    sa.column("previous_unpublished", sa.Boolean()),
    sa.column("new_live", sa.String()),
)
BATCH = 500


def upgrade() -> None:
    op.create_table(
        "publish_promotions",
        sa.Column("publish_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("page_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("previous_live", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("previous_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("previous_unpublished", sa.Boolean(), nullable=False),
        sa.Column("new_live", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["publish_id"], ["publishes.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("publish_id", "page_id"),
    )
    # Every publish's record moves into the table (a revert of an earlier publish reads it).
    bind = op.get_bind()
    for publish_id, promoted in bind.execute(sa.select(_publishes.c.id, _publishes.c.promoted)).all():
        rows = [
            {
                "publish_id": publish_id,
                "page_id": page_id,
                "previous_live": info.get("previous_live"),
                "previous_hash": info.get("previous_hash"),
                "previous_unpublished": bool(info.get("previous_unpublished", False)),
                "new_live": info["new_live"],
            }
            for page_id, info in (promoted or {}).items()
        ]
        for start in range(0, len(rows), BATCH):
            bind.execute(sa.insert(_promotions), rows[start : start + BATCH])
    # ALTER TABLE ... DROP COLUMN in place (SQLite 3.35 and later): a batch copy of the table would drop and
    # recreate `publishes`, which other tables reference.
    op.drop_column("publishes", "promoted")


def downgrade() -> None:
    op.add_column(
        "publishes",
        sa.Column("promoted", comstack_core.models.types.JsonType, nullable=False, server_default="{}"),
    )
    bind = op.get_bind()
    records: dict[str, dict[str, dict[str, object]]] = {}
    for row in bind.execute(sa.select(_promotions)).mappings():
        records.setdefault(row["publish_id"], {})[row["page_id"]] = {
            "previous_live": row["previous_live"],
            "previous_hash": row["previous_hash"],
            "previous_unpublished": row["previous_unpublished"],
            "new_live": row["new_live"],
        }
    for publish_id, promoted in records.items():
        bind.execute(sa.update(_publishes).where(_publishes.c.id == publish_id).values(promoted=promoted))
    op.drop_table("publish_promotions")
