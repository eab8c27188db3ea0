"""Why a whole import is refused. A problem with one file is not an error: it is a line of the report."""

from __future__ import annotations

from ..errors import InvalidInput, PayloadTooLarge


class ImportRefused(InvalidInput):
    """The tree as a whole cannot be imported (400); `code` says why."""

    code = "import_refused"


class ArchiveRefused(InvalidInput):
    """An uploaded archive that is unsafe or unreadable (400); nothing of it is kept."""

    code = "archive_refused"


class ArchiveTooLarge(PayloadTooLarge):
    """An archive over the compressed, uncompressed or ratio caps (413)."""

    code = "archive_too_large"
