"""The published site in a browser as the server serves it; fixtures shared with the builder's tests."""

from __future__ import annotations

from ...core.site.conftest import browser

__all__ = ["browser"]
