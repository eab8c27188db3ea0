from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from .types import UTCDateTime


class InstallationSetting(SQLModel, table=True):
    """A value the whole installation shares, recorded by the process that knows it (the server records the
    public URL it serves at, so a publish run from the command line builds the same site URLs)."""

    __tablename__ = "installation_settings"

    key: str = Field(primary_key=True)
    value: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
