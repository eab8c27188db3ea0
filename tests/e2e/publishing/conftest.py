"""The publishing tests' fixtures (``tests/core/publishing``): a project with a manager key, the app."""

from __future__ import annotations

from ...core.publishing.conftest import backend, client, pub, settings

__all__ = ["backend", "client", "pub", "settings"]
