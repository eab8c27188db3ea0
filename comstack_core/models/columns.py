"""A table's columns for a Core select, and model objects back from the row: for the reads and writes
that skip the ORM session (``Database.fetch_one``, ``Database.write_connection``), where loading or
flushing objects through a session costs more than the statements themselves."""

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
        self._manager = sa_inspect(model).class_manager

    def load(self, values: Sequence[Any]) -> M | None:
        """The object for this table's slice of a row; None when an outer join matched nothing. The
        values are already converted by the column types. The object belongs to no session: it is
        for reading only and must never be added to one."""
        if values[self._primary] is None:
            return None
        return cast(M, self.model.model_construct(**dict(zip(self.keys, values, strict=True))))

    def load_changeable(self, values: Sequence[Any]) -> M | None:
        """``load``, as an object whose attributes may also be set: it gets the ORM's per-object state,
        which the model's own constructor would set up attribute by attribute at several times the cost.
        It still belongs to no session."""
        obj = self.load(values)
        if obj is not None:
            self._manager.setup_instance(obj)
        return obj

    def values(self, obj: M) -> dict[str, Any]:
        """The object's values by column name, for a Core insert into this table."""
        return {
            str(column.key): getattr(obj, key) for column, key in zip(self.columns, self.keys, strict=True)
        }
