"""Alembic environment. The connection is handed in by ``Database.migrate`` (both dialects)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import comstack_core.models  # noqa: F401  (registers every table on the metadata)

target_metadata = SQLModel.metadata


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    # The full-text index (page_search and FTS5's shadow tables) is created by hand per dialect.
    return not (type_ == "table" and name is not None and name.startswith("page_search"))


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("Run migrations through comstack_core.db.Database.migrate().")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
