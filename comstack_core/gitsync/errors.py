"""Git sync's refusals. Messages never hold the access token or the webhook secret."""

from __future__ import annotations

from ..errors import DomainError, Forbidden, InvalidInput, PayloadTooLarge


class GitUrlRefused(InvalidInput):
    """A repository URL this server will not fetch (400)."""

    code = "git_url_refused"


class GitFetchFailed(DomainError):
    """The repository could not be fetched: unreachable, token refused, no such branch or folder, too slow.

    A plain DomainError answers 400 today; an upstream failure reads better as 502 (see the package docs).
    """

    code = "git_fetch_failed"


class GitTooLarge(PayloadTooLarge):
    """The fetch or the checked-out folder is over the size caps (413)."""

    code = "git_too_large"


class WebhookRefused(Forbidden):
    """A webhook call without a valid signature or token (403)."""

    code = "webhook_signature_invalid"


class WebhookInvalid(InvalidInput):
    """A signed webhook call whose body is not a push event we can read (400)."""

    code = "webhook_payload_invalid"
