from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from .types import JsonType, UTCDateTime


class SidebarGroup(SQLModel, table=True):
    __tablename__ = "sidebar_groups"

    id: str = Field(primary_key=True)
    project_id: str = Field(foreign_key="projects.id", index=True, ondelete="CASCADE")
    position: int
    title: dict[str, str] = Field(default_factory=dict, sa_column=Column(JsonType, nullable=False))
    icon: str
    page_slugs: list[str] = Field(default_factory=list, sa_column=Column(JsonType, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class HeaderNavItem(SQLModel, table=True):
    __tablename__ = "header_nav_items"

    id: str = Field(primary_key=True)
    project_id: str = Field(foreign_key="projects.id", index=True, ondelete="CASCADE")
    position: int
    label: dict[str, str] = Field(default_factory=dict, sa_column=Column(JsonType, nullable=False))
    target: str
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
