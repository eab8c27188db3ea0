"""One catalogue entry: what an error code means and what a model should do next."""

from __future__ import annotations

from typing import NamedTuple


class ErrorInfo(NamedTuple):
    meaning: str
    next_step: str
