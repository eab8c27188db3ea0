"""Error codes of backups, restores and project exports."""

from __future__ import annotations

from .entry import ErrorInfo as _E

CODES: dict[str, _E] = {
    "backup_refused": _E("The backup or restore cannot go ahead.", "Read the message; it names what to change."),
    "backup_damaged": _E("The backup archive is truncated, altered or not a ComStack backup; nothing was restored.",
                         "Use another copy of the backup (its manifest checksums must match)."),
    "backup_schema_newer": _E("The backup comes from a newer ComStack than the one restoring it.",
                              "Restore it with the ComStack version named in the message, or a later one."),
    "backup_schema_mismatch": _E("The database's schema is not the one this ComStack uses.",
                                 "Run `comstack migrate`, or back up with the version that runs the server."),
    "backup_source_missing": _E("There is no ComStack database where the backup looked.",
                                "Pass the installation's --data-dir (or --database-url)."),
    "backup_not_found": _E("No archive at the path given.", "Check the path of the .tar.gz backup."),
    "restore_target_not_empty": _E("The restore target already holds data.",
                                   "Restore into an empty data directory and database, or pass --force to replace."),
    "restore_target_invalid": _E("The restore target cannot take the backup.",
                                 "Pass a PostgreSQL URL as --database-url; the embedded database goes in --data-dir."),
    "site_file_invalid": _E("The tree's comstack.yml (theme and navigation of an export) cannot be read.",
                            "Fix the file as the message says, or remove it to import the pages alone."),
    "export_target_not_empty": _E("The export folder already has files in it.",
                                  "Export into a new or empty folder."),
}
