from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import JSON, DateTime
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

JsonType = JSON().with_variant(JSONB(), "postgresql")


class JsonText(str):
    """A JSON column's value already written as JSON text, which the database's engines store as it is."""


def store_json(value: Any) -> str:
    """The engines' JSON writer: ``JsonText`` as it is, anything else through ``json.dumps`` as before."""
    return value if isinstance(value, JsonText) else json.dumps(value)


def json_text(text: str) -> dict[str, Any]:
    """JSON text already written for a JSON column, stored as it is: a publish's record of its pages is made
    as text where the manifest is made (a runner process, perhaps), and turning it back into dicts here to
    write it out again cost tens of MB at 50,000 pages. Typed as the column's dict, which it is once read
    back."""
    return cast(dict[str, Any], JsonText(text))


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC; always hands back timezone-aware datetimes (SQLite would drop the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
