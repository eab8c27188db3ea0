"""A table's columns for a Core select, and model objects back from the row: for the reads that skip
the ORM session (``Database.fetch_one``), where loading objects through a session costs more than
the query itself."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import ColumnElement, FromClause
from sqlalchemy import inspect as sa_inspect
from sqlmodel import SQLModel

M = TypeVar("M", bound=SQLModel)


class ModelColumns(Generic[M]):
    """The columns of ``model``'s table, or of an alias of it (to select the same table twice)."""

    def __init__(self, model: type[M], *, alias: str | None = None) -> None:
        table: FromClause = model.__table__  # type: ignore[attr-defined]
        self.model = model
        self.table = table.alias(alias) if alias else table
        attribute_of = {prop.columns[0].key: prop.key for prop in sa_inspect(model).column_attrs}
        self.columns: list[ColumnElement[Any]] = list(self.table.c)
        self.keys = [attribute_of[column.key] for column in self.columns]
        self._primary = self.keys.index(next(c.key for c in self.columns if c.primary_key))

    def load(self, values: Sequence[Any]) -> M | None:
        """The object for this table's slice of a row; None when an outer join matched nothing. The
        values are already converted by the column types. The object belongs to no session: it is
        for reading only and must never be added to one."""
        if values[self._primary] is None:
            return None
        return cast(M, self.model.model_construct(**dict(zip(self.keys, values, strict=True))))
