"""publishing

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import comstack_core.models.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "publish_tokens",
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("project_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("manifest_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column(
            "manifest",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", comstack_core.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", comstack_core.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", comstack_core.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    with op.batch_alter_table("publish_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_publish_tokens_project_id"), ["project_id"], unique=False)

    op.create_table(
        "publishes",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("project_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("step", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("actor_kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("actor_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("door", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column(
            "manifest",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "progress",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "counts",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "timings",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "promoted",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "deployed",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("build_dir", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("previous_build_dir", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column(
            "previous_theme",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "previous_nav",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("claimed_by", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("heartbeat_at", comstack_core.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", comstack_core.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", comstack_core.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", comstack_core.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reverted_at", comstack_core.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("publishes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_publishes_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_publishes_project_id"), ["project_id"], unique=False)

    op.create_table(
        "translation_tasks",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("project_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("source_page_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("target_language", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("source_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("publish_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", comstack_core.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", comstack_core.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("completed_by", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("result_page_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["source_page_id"], ["pages.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("translation_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_translation_tasks_project_id"), ["project_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_translation_tasks_source_page_id"), ["source_page_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("translation_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_translation_tasks_source_page_id"))
        batch_op.drop_index(batch_op.f("ix_translation_tasks_project_id"))

    op.drop_table("translation_tasks")
    with op.batch_alter_table("publishes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_publishes_project_id"))
        batch_op.drop_index(batch_op.f("ix_publishes_created_at"))

    op.drop_table("publishes")
    with op.batch_alter_table("publish_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_publish_tokens_project_id"))

    op.drop_table("publish_tokens")
