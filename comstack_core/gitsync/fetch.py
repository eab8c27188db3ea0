"""Fetching one branch of a repository with dulwich (pure Python: no `git` program needed) into a cache
under the data directory, and checking out one folder of it for the importer.

The cache is a bare repository per URL; a fetch asks only for the configured branch, shallow (depth
1) over HTTPS, so a later fetch transfers only the new commits. The folder is written from the
commit's tree by this module itself, so symlinks, submodules and oversized files in a repository
never reach the disk (they are listed in `FetchResult.skipped`).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dulwich.client import GitClient, HttpGitClient, HTTPUnauthorized, LocalGitClient
from dulwich.config import ConfigDict
from dulwich.errors import GitProtocolError, HangupException, NotGitRepository
from dulwich.objects import Blob, ObjectID, Tree
from dulwich.refs import Ref, check_ref_format
from dulwich.repo import Repo

from .errors import GitFetchFailed, GitTooLarge, GitUrlRefused
from .urls import RepoLocation, check_host, check_url

_KEEP_TREES = 2


@dataclass(frozen=True)
class GitSource:
    url: str
    branch: str = "main"
    folder: str = ""  # inside the repository; '' is the whole repository
    token: str | None = field(default=None, repr=False)
    token_username: str | None = None  # default: 'x-access-token' on github.com, 'oauth2' elsewhere


@dataclass(frozen=True)
class GitOptions:
    cache_dir: Path  # e.g. <data dir>/git
    allow_local: bool = False
    allow_private_hosts: bool = False
    timeout_seconds: float = 30.0  # each connect / read on the network
    deadline_seconds: float = 300.0  # the whole fetch
    max_fetch_bytes: int = 200 * 1024 * 1024  # pack data received
    max_files: int = 10_000  # files checked out
    max_checkout_bytes: int = 200 * 1024 * 1024
    max_file_bytes: int = 25 * 1024 * 1024  # bigger files are skipped, never written
    depth: int | None = 1
    ca_bundle: Path | None = None  # extra CA certificates (a self-hosted forge with its own CA)


@dataclass
class FetchResult:
    commit: str
    branch: str
    tree: Path  # the checked-out folder: hand it to importer.read_tree
    previous_commit: str | None  # the branch's commit in the cache before this fetch
    fetched_bytes: int
    files: int
    skipped: list[tuple[str, str, str]] = field(default_factory=list)  # (path, code, reason)

    @property
    def changed(self) -> bool:
        return self.commit != self.previous_commit


def check_branch(branch: str) -> Ref:
    ref = Ref(b"refs/heads/" + branch.encode("utf-8", "surrogateescape"))
    if not branch or not check_ref_format(ref):
        raise GitUrlRefused(f"{branch!r} is not a valid branch name.", code="git_branch_invalid")
    return ref


def check_folder(folder: str) -> str:
    parts = [p for p in folder.replace("\\", "/").split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts) or any(p.lower() == ".git" for p in parts):
        raise GitUrlRefused(f"Folder {folder!r} must be a plain path inside the repository.", code="git_folder_invalid")
    return "/".join(parts)


def sync_folder(source: GitSource, options: GitOptions) -> FetchResult:
    """Fetch the branch and check out the folder. Blocking (network and disk): run it in a worker thread."""
    location = check_url(source.url, allow_local=options.allow_local)
    ref = check_branch(source.branch)
    folder = check_folder(source.folder)
    if location.kind == "https" and location.host:
        check_host(location.host, allow_private=options.allow_private_hosts)
    base = options.cache_dir / hashlib.sha256(location.url.encode()).hexdigest()[:24]
    base.mkdir(parents=True, exist_ok=True)
    with _locked(base / "lock"):
        repo_path = base / "repo.git"
        repo = Repo(str(repo_path)) if repo_path.exists() else Repo.init_bare(str(repo_path), mkdir=True)
        with repo:
            previous = repo.refs.as_dict().get(ref)
            commit, fetched = _fetch(repo, ref, location, source, options)
            tree, files, skipped = _checkout(repo, commit, folder, base, options)
    return FetchResult(
        commit=commit.decode(), branch=source.branch, tree=tree,
        previous_commit=previous.decode() if previous else None, fetched_bytes=fetched, files=files,
        skipped=skipped,
    )


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    # One fetch per repository at a time, across processes: dulwich refuses concurrent ref updates.
    with open(path, "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _client(location: RepoLocation, source: GitSource, options: GitOptions) -> tuple[GitClient, str]:
    if location.kind == "local":
        assert location.path is not None
        return LocalGitClient(), str(location.path)
    config = ConfigDict()
    if options.ca_bundle is not None:
        config.set((b"http",), b"sslCAInfo", str(options.ca_bundle).encode())
    username = None
    if source.token:
        username = source.token_username or (
            "x-access-token" if (location.host or "").lower() == "github.com" else "oauth2"
        )
    client = HttpGitClient(
        location.url, config=config, username=username, password=source.token or None,
        timeout=options.timeout_seconds,
    )
    return client, ""


def _fetch(
    repo: Repo, ref: Ref, location: RepoLocation, source: GitSource, options: GitOptions
) -> tuple[ObjectID, int]:
    client, path = _client(location, source, options)
    deadline = time.monotonic() + options.deadline_seconds
    wanted: list[ObjectID] = []
    received = [0]

    def determine_wants(refs: Mapping[Ref, ObjectID], depth: int | None = None) -> list[ObjectID]:
        sha = refs.get(ref)
        if sha is None:
            branches = sorted(r.removeprefix(b"refs/heads/").decode("utf-8", "replace")
                              for r in refs if r.startswith(b"refs/heads/"))
            raise _NoBranch(branches)
        wanted.append(sha)
        return [] if sha in repo.object_store else [sha]

    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024, dir=repo.path)  # noqa: SIM115 - closed below

    def pack_data(chunk: bytes) -> int:
        received[0] += len(chunk)
        if received[0] > options.max_fetch_bytes:
            raise GitTooLarge(
                f"The branch needs more than {options.max_fetch_bytes / 1_048_576:.0f} MB to fetch; point the "
                "project at a smaller repository or raise the fetch limit.",
            )
        if time.monotonic() > deadline:
            raise _Deadline()
        return spool.write(chunk)

    depth = options.depth if location.kind == "https" else None
    try:
        with spool:
            result = client.fetch_pack(path, determine_wants, repo.get_graph_walker(), pack_data, depth=depth)
            if spool.tell():
                spool.seek(0)
                repo.object_store.add_thin_pack(spool.read, None)
        repo.update_shallow(result.new_shallow, result.new_unshallow)
    except _NoBranch as exc:
        listed = ", ".join(exc.branches[:20]) or "none"
        raise GitFetchFailed(
            f"The repository has no branch {source.branch!r} (branches: {listed}).", code="git_branch_not_found"
        ) from None
    except _Deadline:
        raise GitFetchFailed(
            f"The fetch took longer than {options.deadline_seconds:.0f} seconds and was stopped.", code="git_timeout"
        ) from None
    except HTTPUnauthorized:
        raise GitFetchFailed(
            "The repository refused access: the access token is missing, wrong, expired or cannot read it.",
            code="git_auth_failed",
        ) from None
    except NotGitRepository:
        raise GitFetchFailed("There is no git repository at this URL.", code="git_not_found") from None
    except (GitProtocolError, HangupException, OSError) as exc:
        text = _scrub(str(exc), source.token)
        code = "git_timeout" if "timed out" in text.lower() else "git_unreachable"
        raise GitFetchFailed(f"The repository could not be fetched: {text}", code=code) from None
    sha = wanted[0]
    repo.refs[ref] = sha
    return sha, received[0]


class _NoBranch(Exception):
    def __init__(self, branches: list[str]) -> None:
        super().__init__("no such branch")
        self.branches = branches


class _Deadline(Exception):
    pass


def _scrub(text: str, token: str | None) -> str:
    text = text[:300]
    return text.replace(token, "***") if token else text


def _checkout(
    repo: Repo, commit_id: ObjectID, folder: str, base: Path, options: GitOptions
) -> tuple[Path, int, list[tuple[str, str, str]]]:
    commit = repo[commit_id]
    tree_id = commit.tree  # type: ignore[attr-defined]
    if folder:
        try:
            mode, tree_id = repo[tree_id].lookup_path(repo.object_store.__getitem__, folder.encode())  # type: ignore[attr-defined]
        except KeyError:
            mode = 0
        if not stat.S_ISDIR(mode):
            raise GitFetchFailed(
                f"The branch has no folder {folder!r} at commit {commit_id.decode()[:12]}.",
                code="git_folder_not_found",
            )
    trees = base / "trees"
    name = f"{commit_id.decode()}-{hashlib.sha256(folder.encode()).hexdigest()[:8]}"
    done = trees / (name + ".done")
    target = trees / name
    if done.exists() and target.is_dir():
        count, skipped = _read_done(done)
        return target, count, skipped
    trees.mkdir(exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="checkout-", dir=trees))
    try:
        count, skipped = _write_tree(repo, tree_id, staging, options)
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    done.write_text("\n".join([str(count), *("\t".join(s) for s in skipped)]))
    _prune(trees, keep=name)
    return target, count, skipped


def _read_done(done: Path) -> tuple[int, list[tuple[str, str, str]]]:
    lines = done.read_text().split("\n")
    skipped = [tuple(line.split("\t", 2)) for line in lines[1:] if line]
    return int(lines[0]), [(s[0], s[1], s[2]) for s in skipped if len(s) == 3]


def _write_tree(repo: Repo, tree_id: ObjectID, dest: Path, options: GitOptions) -> tuple[int, list[tuple[str, str, str]]]:
    count = 0
    total = 0
    skipped: list[tuple[str, str, str]] = []
    tree = repo[tree_id]
    assert isinstance(tree, Tree)
    for entry in repo.object_store.iter_tree_contents(tree_id):
        assert entry.path is not None and entry.mode is not None and entry.sha is not None
        try:
            rel = entry.path.decode("utf-8")
        except UnicodeDecodeError:
            skipped.append((entry.path.decode("utf-8", "replace"), "bad_name", "File name is not UTF-8."))
            continue
        parts = rel.split("/")
        if any(p in ("", ".", "..") or p.lower() == ".git" or "\\" in p or "\x00" in p for p in parts):
            skipped.append((rel, "bad_name", "Unsafe path in the repository; not written."))
            continue
        if stat.S_ISLNK(entry.mode):
            skipped.append((rel, "symlink", "Symbolic link in the repository; not followed."))
            continue
        if entry.mode == 0o160000:
            skipped.append((rel, "submodule", "Git submodule; its content is not fetched."))
            continue
        count += 1
        if count > options.max_files:
            raise GitTooLarge(
                f"The folder holds more than {options.max_files} files; choose a smaller folder.",
                code="git_too_many_files",
            )
        blob = repo[entry.sha]
        assert isinstance(blob, Blob)
        size = blob.raw_length()
        if size > options.max_file_bytes:
            skipped.append((rel, "file_too_large", f"{size / 1_048_576:.1f} MB is over the limit for one file."))
            continue
        total += size
        if total > options.max_checkout_bytes:
            raise GitTooLarge(
                f"The folder holds more than {options.max_checkout_bytes / 1_048_576:.0f} MB; choose a smaller one.",
            )
        path = dest.joinpath(*parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as fh:
            for chunk in blob.as_raw_chunks():
                fh.write(chunk)
    return count, skipped


def _prune(trees: Path, keep: str) -> None:
    """Keep the newest checkouts only; a tree being read by an import right now is among them."""
    done = sorted(trees.glob("*.done"), key=lambda p: p.stat().st_mtime, reverse=True)
    for marker in done[_KEEP_TREES:]:
        if marker.stem != keep:
            shutil.rmtree(trees / marker.stem, ignore_errors=True)
            marker.unlink(missing_ok=True)
