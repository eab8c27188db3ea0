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

    # Limits of SPEC §15. Windows are sliding, per client IP.
    rate_limit_window_seconds: int = 60
    rate_limit_mcp: int = Field(default=60, description="POST /mcp requests per window per client IP.")
    rate_limit_oauth: int = Field(default=30, description="/oauth/* requests per window per client IP.")
    rate_limit_auth_failures: int = Field(default=10, description="401 answers per window per IP before 429.")
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Proxy IPs/CIDRs whose X-Forwarded-For is believed; otherwise the socket address is the client.",
    )
    max_body_bytes: int = Field(default=1024 * 1024, description="General request body limit (413 above).")
    max_image_bytes: int = Field(default=10 * 1024 * 1024, description="Image upload limit.")
    max_large_body_bytes: int = Field(
        default=3 * 1024 * 1024,
        description="Limit for requests that may carry a 2 MB custom page (its JSON encoding is larger): "
        "POST /mcp and the upload-custom-page route.",
    )

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'comstack.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url().startswith("sqlite")
