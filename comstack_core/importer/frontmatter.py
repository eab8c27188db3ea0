"""Front matter (YAML `---`, TOML `+++`, Hugo's JSON object) and a YAML loader for site configs.

MkDocs configs carry Python-specific tags (`!!python/name:`, `!!python/object/apply:`, `!ENV`,
`!relative`). The loader here is PyYAML's safe loader, which never builds Python objects; unknown
tags become the plain value they wrap so that the rest of the file can still be read.
"""

from __future__ import annotations

import json
import tomllib
from datetime import date, datetime, time
from typing import Any

import yaml

# libyaml's parser when PyYAML was built with it: front matter of thousands of files is the import's
# hot path, and the C scanner reads it about ten times faster than the pure-Python one.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class TolerantLoader(_SafeLoader):
    pass


def _untagged(loader: TolerantLoader, _suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    return None


TolerantLoader.add_multi_constructor("", _untagged)


class FrontMatterError(Exception):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=TolerantLoader)


def split_front_matter(text: str, *, json_allowed: bool = False) -> tuple[dict[str, Any], str, int]:
    """(front matter, body, line number of the body's first line). No front matter: ({}, text, 1)."""
    if text.startswith("---\n") or text == "---":
        return _delimited(text, "---", _parse_yaml, ("---", "..."))
    if text.startswith("+++\n"):
        return _delimited(text, "+++", _parse_toml, ("+++",))
    if json_allowed and text.startswith("{"):
        try:
            data, end = json.JSONDecoder().raw_decode(text)
        except json.JSONDecodeError as exc:
            raise FrontMatterError(f"Invalid JSON front matter: {exc.msg}.", exc.lineno) from None
        if not isinstance(data, dict):
            raise FrontMatterError("JSON front matter must be an object.", 1)
        body = text[end:].lstrip(" \t").removeprefix("\n")
        return normalize(data), body, text[: len(text) - len(body)].count("\n") + 1
    return {}, text, 1


def _delimited(
    text: str, opener: str, parse: Any, closers: tuple[str, ...]
) -> tuple[dict[str, Any], str, int]:
    lines = text.split("\n")
    for n in range(1, len(lines)):
        if lines[n].rstrip() in closers:
            data = parse("\n".join(lines[1:n]))
            return data, "\n".join(lines[n + 1 :]), n + 2
    raise FrontMatterError(f"Front matter opened with '{opener}' on line 1 is never closed.", 1)


def _parse_yaml(source: str) -> dict[str, Any]:
    try:
        data = load_yaml(source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        line = mark.line + 2 if mark is not None else None  # + the opening '---' line, 1-based
        raise FrontMatterError(f"Invalid YAML front matter: {problem}", line) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FrontMatterError("Front matter must be a mapping of 'key: value' lines.", 2)
    return normalize(data)


def _parse_toml(source: str) -> dict[str, Any]:
    try:
        return normalize(tomllib.loads(source))
    except tomllib.TOMLDecodeError as exc:
        raise FrontMatterError(f"Invalid TOML front matter: {exc}", None) from None


def normalize(value: Any) -> Any:
    """JSON-safe values: dates as ISO strings, keys as strings, tuples and sets as lists."""
    if isinstance(value, dict):
        return {str(k): normalize(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [normalize(v) for v in value]
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
