"""Push webhooks as GitHub, Gitea and GitLab send them (payload shapes from their documentation)."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from comstack_core.gitsync import WebhookInvalid, WebhookRefused, parse_push, sign, verify

SECRET = "whsec-project-secret"
AFTER = "bffeb74224043ba2feb48d137756c8a9331c449a"
BEFORE = "28e1879d029cb852e4844d9c718537df08844e03"


def github_push(ref: str = "refs/heads/main", **extra: object) -> bytes:
    return json.dumps({
        "ref": ref, "before": BEFORE, "after": AFTER, "created": False, "deleted": False, "forced": False,
        "head_commit": {"id": AFTER}, "repository": {"full_name": "acme/docs", "clone_url": "https://github.com/acme/docs.git"},
        **extra,
    }).encode()


def gitlab_push(ref: str = "refs/heads/main", checkout_sha: str | None = AFTER) -> bytes:
    return json.dumps({
        "object_kind": "push", "event_name": "push", "before": BEFORE, "after": checkout_sha or "0" * 40, "ref": ref,
        "checkout_sha": checkout_sha, "project": {"path_with_namespace": "acme/docs",
                                                  "git_http_url": "https://gitlab.com/acme/docs.git"},
    }).encode()


def test_github_signature_and_push() -> None:
    body = github_push()
    headers = {"X-GitHub-Event": "push", "X-Hub-Signature-256": sign(body, SECRET)}
    assert verify(headers, body, SECRET) == "github"
    event = parse_push(headers, body, "github")
    assert event is not None and (event.branch, event.commit, event.before) == ("main", AFTER, BEFORE)
    assert event.repository == "https://github.com/acme/docs.git"


def test_gitea_signatures() -> None:
    body = github_push(ref="refs/heads/develop")
    digest = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    for headers in (
        {"X-Gitea-Event": "push", "X-Gitea-Signature": digest},
        {"X-Forgejo-Event": "push", "X-Forgejo-Signature": digest},
        {"X-Gitea-Event": "push", "X-Hub-Signature-256": "sha256=" + digest},
    ):
        provider = verify(headers, body, SECRET)
        assert provider == "gitea"
        event = parse_push(headers, body, provider)
        assert event is not None and event.branch == "develop"


def test_gitlab_token_and_push() -> None:
    body = gitlab_push()
    headers = {"X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": SECRET}
    assert verify(headers, body, SECRET) == "gitlab"
    event = parse_push(headers, body, "gitlab")
    assert event is not None and (event.branch, event.commit) == ("main", AFTER)
    assert parse_push(headers, gitlab_push(checkout_sha=None), "gitlab") is None  # branch deleted
    tag = {"X-Gitlab-Event": "Tag Push Hook", "X-Gitlab-Token": SECRET}
    assert parse_push(tag, gitlab_push(ref="refs/tags/v1"), "gitlab") is None


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({"X-GitHub-Event": "push"}, "webhook_signature_missing"),
        ({"X-Hub-Signature-256": "sha256=" + "0" * 64}, "webhook_signature_invalid"),
        ({"X-Hub-Signature-256": "md5=abc"}, "webhook_signature_invalid"),
        ({"X-Gitea-Signature": "00"}, "webhook_signature_invalid"),
        ({"X-Gitlab-Token": "guess"}, "webhook_signature_invalid"),
    ],
)
def test_bad_or_missing_signatures_are_403(headers: dict[str, str], code: str) -> None:
    with pytest.raises(WebhookRefused) as refused:
        verify(headers, github_push(), SECRET)
    assert refused.value.code == code and SECRET not in refused.value.message


def test_a_signature_over_another_body_fails() -> None:
    signed = sign(github_push(), SECRET)
    with pytest.raises(WebhookRefused):
        verify({"X-Hub-Signature-256": signed}, github_push(ref="refs/heads/evil"), SECRET)
    with pytest.raises(WebhookRefused) as unset:
        verify({"X-Hub-Signature-256": signed}, github_push(), "")
    assert unset.value.code == "webhook_not_configured"


def test_events_that_change_nothing() -> None:
    assert parse_push({"X-GitHub-Event": "ping"}, b'{"zen": "Keep it simple."}', "github") is None
    assert parse_push({"X-GitHub-Event": "push"}, github_push(ref="refs/tags/v1.0"), "github") is None
    assert parse_push({"X-GitHub-Event": "push"}, github_push(deleted=True, after="0" * 40), "github") is None
    assert parse_push({"X-GitHub-Event": "issues"}, b"{}", "github") is None
    with pytest.raises(WebhookInvalid):
        parse_push({"X-GitHub-Event": "push"}, b"not json", "github")
    with pytest.raises(WebhookInvalid):
        parse_push({"X-GitHub-Event": "push"}, b'{"after": "x"}', "github")
