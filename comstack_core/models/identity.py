from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from .types import UTCDateTime


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: str = Field(primary_key=True)
    email: str = Field(unique=True, index=True)
    display_name: str
    password_hash: str | None = None
    is_platform_admin: bool = False
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Account(SQLModel, table=True):
    __tablename__ = "accounts"

    id: str = Field(primary_key=True)
    name: str
    owner_user_id: str = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
