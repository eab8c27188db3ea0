"""Settings for every part of ComStack, read from COMSTACK_* environment variables."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .ingest.settings import IngestSettings

_DURATION = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*([smhd]?)")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COMSTACK_", extra="ignore")

    data_dir: Path = Field(
        default=Path(".comstack"), description="Where the embedded database and sites live."
    )
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
    feedback_per_day: int = Field(
        default=50, ge=0, description="Feedback reports one user or key may send per 24 hours (0: none)."
    )

    # Publishing (SPEC §6).
    publish_token_ttl_seconds: int = Field(default=300, description="Dry-run confirmation token lifetime.")
    revert_window_seconds: int = Field(default=3600, description="How long a publish can be reverted.")
    publish_heartbeat_seconds: float = Field(
        default=2.0, description="How often a running job says it is alive."
    )
    publish_stale_seconds: float = Field(
        default=10.0, description="A running job silent this long is taken over (its runner died)."
    )
    run_publish_jobs: bool = Field(default=True, description="Run the publish job runner in this process.")
    publish_runner: Literal["process", "inline"] = Field(
        default="process",
        description="Where `comstack serve` runs publish jobs and the dry run's check build: 'process', a child "
        "process at a lower CPU priority, so building a large site does not slow requests; 'inline', in the "
        "server's own process (what an app built with create_app gets unless it asks).",
    )
    publish_check_plan: bool = Field(
        default=True,
        description="The dry run builds the planned site aside and runs the pre-deploy check on it, issuing no "
        "token while it would fail. Off: only the job's gate checks (it still refuses to deploy a bad site).",
    )
    translation_provider: str = Field(
        default="tasks", description="'tasks' (assistant translates) or 'http'."
    )
    translation_http_url: str | None = Field(default=None, description="HTTP translation provider endpoint.")
    translation_http_key: str | None = Field(default=None, description="Bearer key for the HTTP provider.")

    # Imports and git sync (SPEC §14, §17).
    import_max_archive_bytes: int = Field(
        default=50 * 1024 * 1024,
        description="Largest .zip / .tar.gz accepted by POST /api/projects/{id}/import.",
    )
    git_allow_local: bool = Field(
        default=False,
        description="Allow local repository paths and file:// URLs for git sync (operators only).",
    )
    git_allow_private_hosts: bool = Field(
        default=False, description="Allow repository hosts that resolve to private or loopback addresses."
    )
    git_ca_bundle: Path | None = Field(
        default=None, description="Extra CA certificates for a self-hosted git forge with its own CA."
    )

    # Live voice (SPEC §11).
    live_session_ttl_seconds: int = Field(
        default=1800, gt=0, description="Lifetime of a voice session's token."
    )
    twilio_auth_token: str | None = Field(
        default=None,
        description="The Twilio account's auth token, for X-Twilio-Signature checks (a project's voice_phone "
        "module may set its own).",
    )
    voice_provider: str = Field(default="embedded", description="Realtime voice provider by name.")
    voice_provider_config: dict[str, Any] = Field(
        default_factory=dict, description="The realtime provider's settings (JSON object)."
    )

    # Scheduled backups (``comstack backup`` run by the server): both of the first two set, or none run.
    backup_dir: Path | None = Field(default=None, description="Where scheduled backups are written (unset: none).")
    backup_every: float | None = Field(
        default=None, gt=0, description="Time between scheduled backups: seconds, or '30m', '24h', '7d'."
    )
    backup_keep: int = Field(default=7, ge=1, description="Scheduled backups kept; older ones are deleted.")

    @field_validator("backup_every", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        if isinstance(value, str) and (match := _DURATION.fullmatch(value.strip().lower())):
            return float(match.group(1)) * _UNITS[match.group(2) or "s"]
        return value

    # Limits of SPEC §15. Windows are sliding, per client IP.
    rate_limit_window_seconds: int = 60
    rate_limit_mcp: int = Field(default=60, description="POST /mcp requests per window per client IP.")
    rate_limit_reader_mcp: int = Field(
        default=120, description="POST requests to one published site's public MCP server per window per client IP."
    )
    rate_limit_oauth: int = Field(default=30, description="/oauth/* requests per window per client IP.")
    rate_limit_auth_failures: int = Field(
        default=10,
        description="Failed authentication attempts (a bad key, token or password) per window per IP; past "
        "them, bad credentials and password sign-ins get 429.",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Proxy IPs/CIDRs whose X-Forwarded-For is believed; otherwise the socket address is the client.",
    )
    max_body_bytes: int = Field(default=1024 * 1024, description="General request body limit (413 above).")
    max_image_bytes: int = Field(default=10 * 1024 * 1024, description="Image upload limit.")
    # Images (SPEC §13): resumable (tus) uploads; the direct upload limit is max_image_bytes.
    image_upload_max_bytes: int = Field(default=50 * 1024 * 1024, description="A resumable upload's whole size.")
    image_chunk_max_bytes: int = Field(default=5 * 1024 * 1024, description="One PATCH of a resumable upload.")
    image_upload_ttl_seconds: int = Field(default=24 * 3600, description="Unfinished resumable uploads expire.")
    max_large_body_bytes: int = Field(
        default=3 * 1024 * 1024,
        description="Limit for requests that may carry a 2 MB custom page (its JSON encoding is larger): "
        "POST /mcp and the upload-custom-page route.",
    )

    max_registration_bytes: int = Field(
        default=32 * 1024,
        description="Limit for POST /oauth/register (open to anyone; ten 2,000-character redirect URIs fit).",
    )

    # Connections to `comstack serve` (uvicorn), per worker process.
    header_timeout_seconds: float = Field(
        default=10.0, ge=0, description="A connection must send a request's headers within this (0: no limit)."
    )
    keep_alive_seconds: int = Field(default=5, ge=1, description="An idle keep-alive connection is closed after this.")
    max_connections: int = Field(
        default=1000, ge=0, description="Concurrent connections served; past it new requests get 503 (0: no cap)."
    )

    # OAuth 2.1 authorization server (SPEC §10). Lifetimes in seconds.
    oauth_code_ttl_seconds: int = Field(default=60, description="Authorization codes: single use, this long.")
    oauth_access_token_ttl_seconds: int = Field(default=3600, description="Access token lifetime.")
    oauth_refresh_token_ttl_seconds: int = Field(
        default=30 * 24 * 3600, description="Refresh token lifetime; each rotation starts a new one."
    )
    oauth_sign_in_ttl_seconds: int = Field(
        default=600, description="How long a person has to sign in and answer the consent page."
    )
    oauth_extra_redirect_schemes: list[str] = Field(
        default_factory=list,
        description="Private-use URI schemes (RFC 8252 §7.1) accepted as redirect URIs besides https and "
        "loopback http, e.g. ['cursor'] for an app that registers cursor://... callbacks. Empty by default.",
    )
    # Optional upstream OpenID Connect sign-in (e.g. Google), offered beside email + password.
    oidc_metadata_url: str | None = Field(
        default=None,
        description="The provider's discovery document, e.g. "
        "https://accounts.google.com/.well-known/openid-configuration. Unset: no upstream sign-in.",
    )
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_display_name: str = Field(default="Single sign-on", description="Shown as 'Continue with <name>'.")
    oidc_scope: str = "openid email profile"

    # Ingestion (SPEC §12): COMSTACK_INGEST_* (the LLM extractor, the extensions allowed by CORS).
    ingest: IngestSettings = Field(default_factory=IngestSettings)

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'comstack.db').resolve()}"

    @property
    def sites_dir(self) -> Path:
        return self.data_dir / "sites"

    @property
    def git_cache_dir(self) -> Path:
        return self.data_dir / "git"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url().startswith("sqlite")
