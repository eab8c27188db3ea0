"""What one import run writes with: its session, project, caller, template fields and options."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from ..auth import Principal
from ..models import ImportSource, Page, Project
from .base import Context


@dataclass
class Target:
    """What one import run writes with: its project, caller, template and options."""

    session: AsyncSession
    ctx: Context
    project: Project
    principal: Principal
    fields: list[dict[str, Any]]
    origin: str
    approve: bool
    unpublish_removed: bool
    now: datetime
    progress: Callable[[int, int], None] | None = None  # (done, total) pages, for a progress bar
    pages: dict[str, Page] = field(default_factory=dict)  # the project's pages by id, loaded once
    sources: dict[str, ImportSource] = field(default_factory=dict)  # their source records by page id
