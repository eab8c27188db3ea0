from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, model_validator

QUERY_STRING = "query_string"  # validation context key: the values came from a URL's query string


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return "contains a NUL character (\\u0000), which text cannot hold"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return "is not valid Unicode (it has a lone surrogate)"
    return None


def bad_text_at(value: Any, where: str = "") -> str | None:
    """The first string in (nested) input that no database can store, as 'where problem', or None.

    PostgreSQL refuses U+0000 in text and both drivers refuse lone surrogates (JSON allows "\\ud800");
    pydantic catches the latter only in ``str`` fields, not inside free-form ``dict[str, Any]`` metadata.
    """
    if isinstance(value, str):
        problem = _text_problem(value)
        return f"{where or 'value'} {problem}" if problem else None
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list | tuple):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        path = f"{where}.{key}" if where else str(key)
        found = (bad_text_at(key, path) if isinstance(key, str) else None) or bad_text_at(item, path)
        if found:
            return found
    return None


@cache
def _flag_keys(model: type[BaseModel]) -> tuple[tuple[str, str], ...]:
    """(input key, field name) of each true/false field of ``model``."""
    return tuple(
        (field.alias or name, name)
        for name, field in model.model_fields.items()
        if field.annotation in (bool, bool | None)
    )


class Input(BaseModel):
    """Inputs refuse unknown fields, so a misspelt argument is a clear 400, not silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    @model_validator(mode="before")
    @classmethod
    def _strict_flags(cls, data: Any, info: ValidationInfo) -> Any:
        """A true/false field takes true or false only: pydantic's lax mode would also read 0, 1, "yes" or
        "off", so {"enabled": 0} would quietly mean false. A query string spells them "true" and "false"."""
        if not isinstance(data, dict):
            return data
        from_query = bool(info.context and info.context.get(QUERY_STRING))
        for key, name in _flag_keys(cls):
            value = data.get(key, data.get(name)) if isinstance(data, dict) else None
            if value is None or isinstance(value, bool):
                continue
            if from_query and value in ("true", "false"):
                continue
            raise ValueError(f"{key} must be true or false, not {value!r}")
        return data

    @model_validator(mode="before")
    @classmethod
    def _storable_text(cls, data: Any) -> Any:
        found = bad_text_at(data)
        if found:
            raise ValueError(found)
        return data


class View(BaseModel):
    model_config = ConfigDict(from_attributes=True)


NAME_ECHO_DOC = (
    "The project's name exactly as stored (case-insensitive). Required for destructive operations as a "
    "safety check: ask the user or read it from get-project-state."
)
