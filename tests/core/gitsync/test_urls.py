from __future__ import annotations

import pytest

from comstack_core.gitsync import GitUrlRefused, check_branch, check_folder, check_url


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://github.com/acme/docs.git", "unencrypted"),
        ("ssh://git@github.com/acme/docs.git", "SSH"),
        ("git@github.com:acme/docs.git", "SSH"),
        ("git://github.com/acme/docs.git", "git://"),
        ("/srv/git/docs", "COMSTACK_GIT_ALLOW_LOCAL"),
        ("file:///srv/git/docs", "COMSTACK_GIT_ALLOW_LOCAL"),
        ("https://user:ghp_x@github.com/acme/docs.git", "token in its own field"),
        ("https:///acme/docs.git", "no host"),
        ("ftp://example.com/docs", "not supported"),
        ("", "empty"),
    ],
)
def test_refused_urls_say_why(url: str, words: str) -> None:
    with pytest.raises(GitUrlRefused) as refused:
        check_url(url)
    assert words in refused.value.message
    assert "ghp_x" not in refused.value.message


def test_accepted_urls() -> None:
    assert check_url("https://github.com/acme/docs.git").host == "github.com"
    assert check_url("/srv/git/docs", allow_local=True).kind == "local"
    assert check_url("file:///srv/git/docs", allow_local=True).path is not None
    with pytest.raises(GitUrlRefused):
        check_url("relative/path", allow_local=True)
    with pytest.raises(GitUrlRefused):
        check_url("http://127.0.0.1/repo.git", allow_local=True)  # the flag is about local paths, not http


def test_branch_and_folder_rules() -> None:
    assert check_branch("release/2.0") == b"refs/heads/release/2.0"
    for bad in ("", "a..b", "main.lock", "with space", "-x/.."):
        with pytest.raises(GitUrlRefused):
            check_branch(bad)
    assert check_folder("/docs/./guide/") == "docs/guide"
    for bad in ("../etc", "docs/../../x", ".git/hooks"):
        with pytest.raises(GitUrlRefused):
            check_folder(bad)
