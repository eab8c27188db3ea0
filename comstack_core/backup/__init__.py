"""Backups, restores and exports of an installation (``comstack backup``, ``restore``, ``export``)."""

from __future__ import annotations

from .manifest import BackupError, Manifest
from .restore import RestoreResult, restore_backup
from .snapshot import create_backup

__all__ = ["BackupError", "Manifest", "RestoreResult", "create_backup", "restore_backup"]
