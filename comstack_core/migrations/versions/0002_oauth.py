"""oauth authorization server

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import comstack_core.models.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine[object]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql")


def _when() -> comstack_core.models.types.UTCDateTime:
    return comstack_core.models.types.UTCDateTime(timezone=True)


def _str() -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString()


def upgrade() -> None:
    op.create_table(
        "oauth_clients",
        sa.Column("id", _str(), nullable=False),
        sa.Column("client_name", _str(), nullable=True),
        sa.Column("redirect_uris", _json(), nullable=False),
        sa.Column("info", _json(), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )

    op.create_table(
        "oauth_requests",
        sa.Column("id", _str(), nullable=False),
        sa.Column("handle_hash", _str(), nullable=False),
        sa.Column("client_id", _str(), nullable=False),
        sa.Column("redirect_uri", _str(), nullable=False),
        sa.Column("redirect_uri_explicit", sa.Boolean(), nullable=False),
        sa.Column("scopes", _json(), nullable=False),
        sa.Column("code_challenge", _str(), nullable=False),
        sa.Column("state", _str(), nullable=True),
        sa.Column("resource", _str(), nullable=False),
        sa.Column("browser_hash", _str(), nullable=True),
        sa.Column("csrf_hash", _str(), nullable=True),
        sa.Column("user_id", _str(), nullable=True),
        sa.Column("upstream_state_hash", _str(), nullable=True),
        sa.Column("upstream", _json(), nullable=True),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("expires_at", _when(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["oauth_clients.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("oauth_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oauth_requests_handle_hash"), ["handle_hash"], unique=True)
        batch_op.create_index(batch_op.f("ix_oauth_requests_client_id"), ["client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_oauth_requests_upstream_state_hash"), ["upstream_state_hash"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_oauth_requests_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "oauth_grants",
        sa.Column("id", _str(), nullable=False),
        sa.Column("client_id", _str(), nullable=False),
        sa.Column("user_id", _str(), nullable=False),
        sa.Column("scopes", _json(), nullable=False),
        sa.Column("resource", _str(), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("expires_at", _when(), nullable=False),
        sa.Column("last_used_at", _when(), nullable=True),
        sa.Column("revoked_at", _when(), nullable=True),
        sa.Column("revoked_reason", _str(), nullable=True),
        sa.ForeignKeyConstraint(["client_id"], ["oauth_clients.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("oauth_grants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oauth_grants_client_id"), ["client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_oauth_grants_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_oauth_grants_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "oauth_codes",
        sa.Column("code_hash", _str(), nullable=False),
        sa.Column("grant_id", _str(), nullable=False),
        sa.Column("client_id", _str(), nullable=False),
        sa.Column("redirect_uri", _str(), nullable=False),
        sa.Column("redirect_uri_explicit", sa.Boolean(), nullable=False),
        sa.Column("code_challenge", _str(), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("expires_at", _when(), nullable=False),
        sa.Column("used_at", _when(), nullable=True),
        sa.ForeignKeyConstraint(["grant_id"], ["oauth_grants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("code_hash"),
    )
    with op.batch_alter_table("oauth_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oauth_codes_grant_id"), ["grant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_oauth_codes_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "oauth_tokens",
        sa.Column("token_hash", _str(), nullable=False),
        sa.Column("kind", _str(), nullable=False),
        sa.Column("grant_id", _str(), nullable=False),
        sa.Column("scopes", _json(), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("expires_at", _when(), nullable=False),
        sa.Column("used_at", _when(), nullable=True),
        sa.ForeignKeyConstraint(["grant_id"], ["oauth_grants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    with op.batch_alter_table("oauth_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oauth_tokens_grant_id"), ["grant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_oauth_tokens_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("oauth_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oauth_tokens_expires_at"))
        batch_op.drop_index(batch_op.f("ix_oauth_tokens_grant_id"))
    op.drop_table("oauth_tokens")

    with op.batch_alter_table("oauth_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oauth_codes_expires_at"))
        batch_op.drop_index(batch_op.f("ix_oauth_codes_grant_id"))
    op.drop_table("oauth_codes")

    with op.batch_alter_table("oauth_grants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oauth_grants_expires_at"))
        batch_op.drop_index(batch_op.f("ix_oauth_grants_user_id"))
        batch_op.drop_index(batch_op.f("ix_oauth_grants_client_id"))
    op.drop_table("oauth_grants")

    with op.batch_alter_table("oauth_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oauth_requests_expires_at"))
        batch_op.drop_index(batch_op.f("ix_oauth_requests_upstream_state_hash"))
        batch_op.drop_index(batch_op.f("ix_oauth_requests_client_id"))
        batch_op.drop_index(batch_op.f("ix_oauth_requests_handle_hash"))
    op.drop_table("oauth_requests")

    op.drop_table("oauth_clients")
