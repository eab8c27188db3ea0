"""Push webhooks from GitHub, Gitea (and Forgejo) and GitLab: who signed them, and which branch moved.

Verification comes first and is constant-time: GitHub and Gitea sign the raw body with HMAC-SHA256
(`X-Hub-Signature-256: sha256=<hex>`; Gitea and Forgejo also send the bare hex digest as
`X-Gitea-Signature` / `X-Forgejo-Signature`); GitLab sends the shared secret itself in
`X-Gitlab-Token`. Only then is the body parsed. A push that deletes the branch, a tag push and a
`ping` are events that change nothing (`PushEvent` is None); the caller compares `branch` with
the project's configured branch and does nothing for another one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .errors import WebhookInvalid, WebhookRefused

Provider = Literal["github", "gitea", "gitlab"]
_ZERO = "0" * 40


@dataclass(frozen=True)
class PushEvent:
    provider: Provider
    branch: str  # 'main' (from ref 'refs/heads/main')
    commit: str  # the branch's new head
    before: str | None
    repository: str | None  # clone URL or full name, for the log


def _header(headers: Mapping[str, str], name: str) -> str | None:
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


def sign(body: bytes, secret: str) -> str:
    """The `X-Hub-Signature-256` value a sender computes (for tests and for documenting the setup)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(headers: Mapping[str, str], body: bytes, secret: str) -> Provider:
    """Which provider signed this call with `secret`; WebhookRefused (403) when none did."""
    if not secret:
        raise WebhookRefused(
            "This project has no webhook secret; set one when connecting the repository.",
            code="webhook_not_configured",
        )
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    hub = _header(headers, "X-Hub-Signature-256")
    gitea = _header(headers, "X-Gitea-Signature") or _header(headers, "X-Forgejo-Signature")
    gitlab = _header(headers, "X-Gitlab-Token")
    provider: Provider = "gitea" if _is_gitea(headers) else "github"
    if hub is not None:
        given = hub.strip()
        ok = given.startswith("sha256=") and hmac.compare_digest(given[7:].lower().encode(), expected.encode())
        if ok:
            return provider
    elif gitea is not None:
        if hmac.compare_digest(gitea.strip().lower().encode(), expected.encode()):
            return "gitea"
    elif gitlab is not None:
        if hmac.compare_digest(gitlab.encode(), secret.encode()):
            return "gitlab"
    else:
        raise WebhookRefused(
            "The call carries no signature: GitHub and Gitea send X-Hub-Signature-256, GitLab X-Gitlab-Token. "
            "Set the webhook's secret to the project's webhook secret.",
            code="webhook_signature_missing",
        )
    raise WebhookRefused(
        "The webhook signature does not match the project's webhook secret.", code="webhook_signature_invalid"
    )


def _is_gitea(headers: Mapping[str, str]) -> bool:
    return _header(headers, "X-Gitea-Event") is not None or _header(headers, "X-Forgejo-Event") is not None


def event_name(headers: Mapping[str, str]) -> str:
    for name in ("X-Gitea-Event", "X-Forgejo-Event", "X-GitHub-Event", "X-Gitlab-Event"):
        value = _header(headers, name)
        if value:
            return value.strip()
    return ""


def parse_push(headers: Mapping[str, str], body: bytes, provider: Provider) -> PushEvent | None:
    """The branch push this (verified) call reports; None for pings, tag pushes and branch deletions."""
    event = event_name(headers).lower()
    if event in ("ping", "system hook") or (event and event not in ("push", "push hook")):
        return None
    try:
        data: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise WebhookInvalid("The webhook body is not JSON.") from None
    if not isinstance(data, dict):
        raise WebhookInvalid("The webhook body is not a JSON object.")
    if provider == "gitlab" and data.get("object_kind") not in (None, "push"):
        return None
    ref = data.get("ref")
    if not isinstance(ref, str):
        raise WebhookInvalid("The push event has no 'ref'.")
    if not ref.startswith("refs/heads/"):
        return None  # a tag
    after = data.get("checkout_sha") if provider == "gitlab" else data.get("after")
    if provider == "gitlab" and after is None:
        after = data.get("after")
    if data.get("deleted") is True or not isinstance(after, str) or after == _ZERO:
        return None  # the branch was deleted: nothing to import
    before = data.get("before")
    repository = data.get("repository")
    repository = repository if isinstance(repository, dict) else {}
    project = data.get("project")
    project = project if isinstance(project, dict) else {}
    name = (
        repository.get("clone_url") or repository.get("git_http_url") or project.get("git_http_url")
        or repository.get("full_name") or project.get("path_with_namespace")
    )
    return PushEvent(
        provider=provider, branch=ref.removeprefix("refs/heads/"), commit=after,
        before=before if isinstance(before, str) else None, repository=name if isinstance(name, str) else None,
    )
