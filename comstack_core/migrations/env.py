"""Alembic environment. The connection is handed in by ``Database.migrate`` (both dialects)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import comstack_core.models  # noqa: F401  (registers every table on the metadata)

target_metadata = SQLModel.metadata


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("Run migrations through comstack_core.db.Database.migrate().")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
