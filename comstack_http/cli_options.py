"""Options every ``comstack`` command that opens the installation takes, and the settings they give."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from comstack_core import Settings

DataDir = Annotated[Path | None, typer.Option("--data-dir", help="Data directory (COMSTACK_DATA_DIR).")]
DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="Database URL (COMSTACK_DATABASE_URL).")
]


def settings_from(data_dir: Path | None, database_url: str | None, **extra: Any) -> Settings:
    """Flags win over COMSTACK_* variables; flags are exported so worker processes see them too."""
    if data_dir is not None:
        os.environ["COMSTACK_DATA_DIR"] = str(data_dir)
    if database_url is not None:
        os.environ["COMSTACK_DATABASE_URL"] = database_url
    for key, value in extra.items():
        if value is not None:
            os.environ[f"COMSTACK_{key.upper()}"] = str(value)
    return Settings()
