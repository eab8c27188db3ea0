"""Git sync (SPEC §14): fetch a branch of a repository with dulwich and check out one folder; verify and
read push webhooks. The project's stored configuration and the import itself live with the caller."""

from __future__ import annotations

from .errors import GitFetchFailed, GitTooLarge, GitUrlRefused, WebhookInvalid, WebhookRefused
from .fetch import FetchResult, GitOptions, GitSource, check_branch, check_folder, sync_folder
from .urls import RepoLocation, check_host, check_url
from .webhooks import PushEvent, parse_push, sign, verify

__all__ = [
    "FetchResult",
    "GitFetchFailed",
    "GitOptions",
    "GitSource",
    "GitTooLarge",
    "GitUrlRefused",
    "PushEvent",
    "RepoLocation",
    "WebhookInvalid",
    "WebhookRefused",
    "check_branch",
    "check_folder",
    "check_host",
    "check_url",
    "parse_push",
    "sign",
    "sync_folder",
    "verify",
]
