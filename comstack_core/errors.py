"""Domain errors. Each door maps these classes (by MRO) to its own wire format.

Messages are written for the person or model that has to fix the call: they say what was wrong
and what to do instead.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "error"

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        return {"error": self.message, "code": self.code, **self.details}


class InvalidInput(DomainError):
    """Malformed or missing arguments (400)."""

    code = "invalid_input"


class LocaleConfigDrift(InvalidInput):
    code = "locale_config_drift"

    def __init__(self, violations: list[str]) -> None:
        super().__init__("Locale config drift", violations=violations)


class NameEchoMismatch(InvalidInput):
    code = "project_name_mismatch"


class Unauthenticated(DomainError):
    code = "unauthenticated"


class Forbidden(DomainError):
    """Role too low, module disabled, trial expired, quota reached (403)."""

    code = "forbidden"


class ProjectMismatch(Forbidden):
    """An API key used on a project it does not belong to."""

    code = "project_mismatch"


class ModuleDisabled(Forbidden):
    code = "module_disabled"


class TrialExpired(Forbidden):
    code = "trial_expired"


class QuotaExceeded(Forbidden):
    code = "quota_exceeded"


class WrongTool(InvalidInput):
    """A knowledge-page tool used on a custom page or the other way round."""

    code = "wrong_tool_knowledge_page"


class DailyQuotaExceeded(DomainError):
    """Per-day quotas answer 429, not 403."""

    code = "daily_quota_exceeded"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class StaleVersion(Conflict):
    code = "stale_version"


class PayloadTooLarge(DomainError):
    code = "payload_too_large"


class RateLimited(DomainError):
    code = "rate_limited"
