"""What a backup archive holds and how it says so: ``manifest.json``, written last, lists every member with
its SHA-256, so a restore can check the whole archive before it writes anything.

Archive layout (a ``.tar.gz``)::

    database/comstack.db      the database as a SQLite file (from a SQLite or a PostgreSQL installation)
    sites/<project>/{a,b,c}   the published builds and ``current``, the link to the served one
    blobs/ab/cd/<sha256>      the image bytes the database refers to, and nothing else
    variants/ab/<sha>-w*.json which srcset variants of those images exist
    settings.json             the installation's settings without secrets (for reference; not applied)
    manifest.json             this
"""

from __future__ import annotations

import importlib.metadata
import re
from datetime import datetime
from pathlib import PurePosixPath
from typing import Literal

from alembic.config import Config
from alembic.script import ScriptDirectory
from pydantic import BaseModel, Field

from ..db import MIGRATIONS_DIR
from ..errors import InvalidInput

FORMAT = "comstack-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE = "database/comstack.db"
SETTINGS = "settings.json"

# Settings that hold secrets or name this machine: never written into an archive.
SECRET_SETTINGS = frozenset({
    "data_dir", "database_url", "redis_url", "twilio_auth_token", "translation_http_key",
    "oidc_client_secret", "voice_provider_config", "git_ca_bundle", "backup_dir",
})

_MEMBER = re.compile(r"(database/comstack\.db|settings\.json|sites/[A-Za-z0-9_-]+/[^\x00]+|"
                     r"blobs/[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{64}|variants/[0-9a-f]{2}/[0-9a-f]{64}-w[0-9]+\.json)")


class BackupError(InvalidInput):
    """An archive that cannot be restored, or a target it must not be restored into."""

    code = "backup_refused"


class Member(BaseModel):
    name: str
    kind: Literal["file", "symlink", "hardlink"] = "file"
    size: int = 0
    sha256: str | None = None  # files
    link: str | None = None  # symlinks: the target; hard links: the member they share bytes with


class Manifest(BaseModel):
    format: str = FORMAT
    format_version: int = FORMAT_VERSION
    comstack_version: str
    created_at: datetime
    source_database: Literal["sqlite", "postgresql"]
    schema_revision: str
    counts: dict[str, int] = Field(default_factory=dict)
    members: list[Member] = Field(default_factory=list)
    missing_blobs: list[str] = Field(default_factory=list)


def comstack_version() -> str:
    try:
        return importlib.metadata.version("comstack")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


def _scripts() -> ScriptDirectory:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(cfg)


def head_revision() -> str:
    head = _scripts().get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    return {script.revision for script in _scripts().walk_revisions()}


def safe_member_name(name: str) -> bool:
    """Only the layout above, relative, without ``..``: nothing in an archive can name a path elsewhere."""
    path = PurePosixPath(name)
    return (
        name == MANIFEST
        or (_MEMBER.fullmatch(name) is not None and not path.is_absolute() and ".." not in path.parts)
    )
