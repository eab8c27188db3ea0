"""publishes: the site URL the dry run showed, in a column of its own

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import comstack_core.models.types

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_publishes = sa.table(
    "publishes",
    sa.column("manifest", comstack_core.models.types.JsonType),
    sa.column("site_url", sa.String()),
)


def upgrade() -> None:
    # Every status poll and history listing read this URL out of the manifest by the database's JSON
    # operator, which parses the whole document: at 50,000 pages 19 MB on each poll, in the server's own
    # process on the embedded database. Existing publishes keep the URL their manifest recorded.
    op.add_column("publishes", sa.Column("site_url", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    op.execute(sa.update(_publishes).values(site_url=_publishes.c.manifest["target_site_url"].as_string()))


def downgrade() -> None:
    op.drop_column("publishes", "site_url")
