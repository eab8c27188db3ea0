"""The OAuth door's fixtures (``tests/http/oauth``): a live server, a signed-up person, SQLite."""

from __future__ import annotations

from ...http.oauth.conftest import ada, backend, live

__all__ = ["ada", "backend", "live"]
