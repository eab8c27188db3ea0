"""Fetching with dulwich from a repository served over HTTPS on loopback by dulwich.web, and from a local
path with the operator flag: clone, a new commit, another branch, the token sent, failures explained."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from comstack_core.gitsync import (
    GitFetchFailed,
    GitOptions,
    GitSource,
    GitTooLarge,
    GitUrlRefused,
    sync_folder,
)

from .gitserver import GitServer, commit_files, new_repository, serve

TOKEN = "ghp_s3cret-token-value"


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    repo = new_repository(tmp_path / "origin")
    commit_files(
        repo,
        {"docs/index.md": "# Home\n", "docs/guide/setup.md": "# Setup\n", "src/app.py": "print()\n", "README.md": "x\n"},
        "First docs",
    )
    return repo


@pytest.fixture
def server(origin: Path, tmp_path: Path) -> Iterator[GitServer]:
    yield from serve(origin, tmp_path, credentials=("oauth2", TOKEN))


def options(tmp_path: Path, server: GitServer | None = None, **kw: object) -> GitOptions:
    return GitOptions(
        cache_dir=tmp_path / "cache", allow_private_hosts=True,
        ca_bundle=server.ca_bundle if server else None, **kw,  # type: ignore[arg-type]
    )


def files(tree: Path) -> list[str]:
    return sorted(p.relative_to(tree).as_posix() for p in tree.rglob("*") if p.is_file())


def test_clone_then_a_new_commit_is_fetched(origin: Path, server: GitServer, tmp_path: Path) -> None:
    source = GitSource(server.url, "main", "docs", token=TOKEN)
    first = sync_folder(source, options(tmp_path, server))
    assert files(first.tree) == ["guide/setup.md", "index.md"]
    assert first.previous_commit is None and first.changed and first.files == 2
    assert (first.tree / "index.md").read_text() == "# Home\n"

    again = sync_folder(source, options(tmp_path, server))
    assert again.commit == first.commit and not again.changed and again.tree == first.tree

    second_id = commit_files(origin, {"docs/new.md": "# New\n", "docs/guide/setup.md": "# Setup v2\n"}, "More docs")
    second = sync_folder(source, options(tmp_path, server))
    assert second.commit == second_id and second.previous_commit == first.commit
    assert files(second.tree) == ["guide/setup.md", "index.md", "new.md"]
    assert (second.tree / "guide/setup.md").read_text() == "# Setup v2\n"
    # Shallow and incremental: the second fetch carried only the new commit's objects.
    assert 0 < second.fetched_bytes < 2000


def test_the_token_is_sent_as_basic_auth_and_a_wrong_one_is_refused_without_leaking(
    server: GitServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sync_folder(GitSource(server.url, "main", "docs", token=TOKEN), options(tmp_path, server))
    # Forges take a token as the password of HTTP basic auth; 'oauth2' is the user name GitLab documents.
    assert "Basic " + base64.b64encode(f"oauth2:{TOKEN}".encode()).decode() in server.seen_authorization

    wrong = "ghp_wrong-token-value"
    with pytest.raises(GitFetchFailed) as refused:
        sync_folder(GitSource(server.url, "main", "docs", token=wrong), options(tmp_path / "other", server))
    assert refused.value.code == "git_auth_failed"
    with pytest.raises(GitFetchFailed) as missing:
        sync_folder(GitSource(server.url, "main", "docs"), options(tmp_path / "third", server))
    assert missing.value.code == "git_auth_failed"
    for text in (str(refused.value), str(refused.value.to_dict()), caplog.text, repr(GitSource(server.url, token=wrong))):
        assert wrong not in text and TOKEN not in text


def test_another_branch_and_missing_branch_or_folder(origin: Path, server: GitServer, tmp_path: Path) -> None:
    commit_files(origin, {"docs/draft.md": "# Draft\n"}, "Drafts", branch="next")
    nxt = sync_folder(GitSource(server.url, "next", "docs", token=TOKEN), options(tmp_path, server))
    assert "draft.md" in files(nxt.tree)
    main = sync_folder(GitSource(server.url, "main", "docs", token=TOKEN), options(tmp_path, server))
    assert "draft.md" not in files(main.tree)

    with pytest.raises(GitFetchFailed) as branch:
        sync_folder(GitSource(server.url, "release", "docs", token=TOKEN), options(tmp_path, server))
    assert branch.value.code == "git_branch_not_found" and "main" in branch.value.message
    with pytest.raises(GitFetchFailed) as folder:
        sync_folder(GitSource(server.url, "main", "website/docs", token=TOKEN), options(tmp_path, server))
    assert folder.value.code == "git_folder_not_found"


def test_symlinks_and_big_files_in_the_repository_are_not_written(origin: Path, server: GitServer, tmp_path: Path) -> None:
    from dulwich.objects import Blob
    from dulwich.repo import Repo

    commit_files(origin, {"docs/big.md": "x" * 3000}, "Big file")
    repo = Repo(str(origin))
    with repo:  # a symlink entry pointing outside, added to the tree directly
        link = Blob.from_string(b"/etc/passwd")
        repo.object_store.add_object(link)
        index = repo.open_index()
        from dulwich.index import IndexEntry

        entry = index[b"docs/index.md"]
        assert isinstance(entry, IndexEntry)
        index[b"docs/passwd.md"] = IndexEntry(
            entry.ctime, entry.mtime, entry.dev, entry.ino, 0o120000, entry.uid, entry.gid, len(b"/etc/passwd"), link.id
        )
        index.write()
        repo.get_worktree().commit(message=b"Add a link", author=b"A <a@example.com>", committer=b"A <a@example.com>")
    result = sync_folder(GitSource(server.url, "main", "docs", token=TOKEN), options(tmp_path, server, max_file_bytes=1000))
    assert not (result.tree / "passwd.md").exists() and not (result.tree / "big.md").exists()
    assert {(path, code) for path, code, _ in result.skipped} == {("passwd.md", "symlink"), ("big.md", "file_too_large")}


def test_fetch_size_cap(server: GitServer, tmp_path: Path) -> None:
    with pytest.raises(GitTooLarge):
        sync_folder(GitSource(server.url, "main", "", token=TOKEN), options(tmp_path, server, max_fetch_bytes=100))
    assert not any((tmp_path / "cache").glob("*/trees/*-*"))


def test_a_private_host_needs_the_operator_flag(server: GitServer, tmp_path: Path) -> None:
    opts = GitOptions(cache_dir=tmp_path / "cache", ca_bundle=server.ca_bundle)
    with pytest.raises(GitUrlRefused) as refused:
        sync_folder(GitSource(server.url, "main", "docs", token=TOKEN), opts)
    assert refused.value.code == "git_private_host" and server.requests == 0


def test_an_untrusted_certificate_is_refused(server: GitServer, tmp_path: Path) -> None:
    opts = GitOptions(cache_dir=tmp_path / "cache", allow_private_hosts=True)
    with pytest.raises(GitFetchFailed) as failed:
        sync_folder(GitSource(server.url, "main", "docs", token=TOKEN), opts)
    assert failed.value.code == "git_unreachable" and TOKEN not in failed.value.message


def test_local_path_with_the_operator_flag(origin: Path, tmp_path: Path) -> None:
    with pytest.raises(GitUrlRefused) as refused:
        sync_folder(GitSource(str(origin), "main", "docs"), GitOptions(cache_dir=tmp_path / "cache"))
    assert refused.value.code == "git_local_refused"

    opts = GitOptions(cache_dir=tmp_path / "cache", allow_local=True)
    first = sync_folder(GitSource(str(origin), "main", "docs"), opts)
    assert files(first.tree) == ["guide/setup.md", "index.md"]
    new = commit_files(origin, {"docs/local.md": "# Local\n"}, "Local commit")
    second = sync_folder(GitSource(origin.as_uri(), "main", "docs"), opts)
    assert second.commit == new and "local.md" in files(second.tree)
