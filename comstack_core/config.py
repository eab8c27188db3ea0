"""Settings for every part of ComStack, read from COMSTACK_* environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COMSTACK_", extra="ignore")

    data_dir: Path = Field(default=Path(".comstack"), description="Where the embedded database and sites live.")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy async URL. Default: a SQLite file under data_dir. "
        "Server mode: postgresql+asyncpg://user@host/db.",
    )
    redis_url: str | None = Field(default=None, description="Redis URL for shared rate limits (server mode).")
    public_url: str = Field(default="http://127.0.0.1:8787", description="Base URL people and clients use.")
    auto_migrate: bool = Field(default=True, description="Migrate the database when it is opened.")
    trial_days_default: int = 14
    custom_page_max_bytes: int = 2 * 1024 * 1024
    sqlite_busy_timeout_ms: int = 30_000

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'comstack.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url().startswith("sqlite")
