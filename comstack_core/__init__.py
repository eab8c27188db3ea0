"""ComStack's domain library: every rule of the product, with no HTTP or MCP in sight."""

from __future__ import annotations

from .auth import Principal, Role
from .config import Settings
from .core import Core
from .errors import DomainError

__all__ = ["Core", "DomainError", "Principal", "Role", "Settings"]
