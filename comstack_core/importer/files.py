"""Walking a tree and reading its files safely: caps, symlinks, binary files named `.md`."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ImportRefused
from .model import FileReport, ImportLimits

MARKDOWN_EXTENSIONS = (".md", ".mdx", ".markdown")
# Folders that belong to tooling, never to the docs; walking them would only hit the file cap.
_TOOLING_DIRS = {"node_modules", "__pycache__", "site-packages"}


@dataclass(slots=True)
class TreeFile:
    rel: str  # '/'-separated, relative to the tree root
    path: Path  # the real file to read (a symlink's target inside the tree)
    size: int


@dataclass
class Tree:
    root: Path
    files: list[TreeFile] = field(default_factory=list)
    reports: list[FileReport] = field(default_factory=list)  # what the walk itself skipped or refused


class FileProblem(Exception):
    """One file cannot be read; `code` and the message go into its report line."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def is_markdown(rel: str) -> bool:
    return rel.lower().endswith(MARKDOWN_EXTENSIONS)


def inside(root: Path, target: Path) -> bool:
    return target == root or root in target.parents


def walk_tree(root: Path, limits: ImportLimits, *, start: Path | None = None) -> Tree:
    """Every regular file under `start` (default: the root), sorted; symlinks pointing outside the root
    fail, hidden and tooling folders are skipped, more than `limits.max_files` entries refuse it all."""
    root = root.resolve()
    if not root.is_dir():
        raise ImportRefused(f"{root.name or root} is not a folder.", code="not_a_folder")
    tree = Tree(root=root)
    seen = 0
    pending = [(start or root).resolve()]
    while pending:
        folder = pending.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name, reverse=True)
        except OSError as exc:
            tree.reports.append(_report(root, Path(folder), "failed", "read_error", f"Folder not readable: {exc}"))
            continue
        for entry in entries:
            seen += 1
            if seen > limits.max_files:
                raise ImportRefused(
                    f"The tree has more than {limits.max_files} files and folders; import a smaller folder "
                    "(for example the docs folder only) or raise the file limit.",
                    code="too_many_files",
                    limit=limits.max_files,
                )
            path = Path(entry.path)
            rel = path.relative_to(root).as_posix()
            if entry.name.startswith("."):
                if entry.is_dir(follow_symlinks=False):
                    tree.reports.append(FileReport(rel + "/", "skipped", "hidden", "Hidden folder, not read."))
                else:
                    tree.reports.append(FileReport(rel, "skipped", "hidden", "Hidden file, not read."))
                continue
            if entry.is_symlink():
                _symlink(tree, root, path, rel)
                continue
            if entry.is_dir(follow_symlinks=False):
                if entry.name in _TOOLING_DIRS:
                    tree.reports.append(FileReport(rel + "/", "skipped", "tooling", "Tooling folder, not read."))
                else:
                    pending.append(path)
                continue
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(info.st_mode):
                tree.files.append(TreeFile(rel, path, info.st_size))
            else:
                tree.reports.append(FileReport(rel, "skipped", "special_file", "Not a regular file."))
    tree.files.sort(key=lambda f: f.rel)
    return tree


def _symlink(tree: Tree, root: Path, path: Path, rel: str) -> None:
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        tree.reports.append(FileReport(rel, "failed", "symlink_broken", "Symbolic link to nothing."))
        return
    if not inside(root, target):
        tree.reports.append(
            FileReport(
                rel, "failed", "symlink_outside",
                "Symbolic link pointing outside the imported folder; it is not followed.",
            )
        )
    elif target.is_dir():
        # Followed folders could loop or import the same pages twice under two slugs.
        tree.reports.append(
            FileReport(rel + "/", "skipped", "symlink_folder", "Symbolic link to a folder, not followed.")
        )
    elif target.is_file():
        tree.files.append(TreeFile(rel, target, target.stat().st_size))
    else:
        tree.reports.append(FileReport(rel, "skipped", "special_file", "Not a regular file."))


def _report(root: Path, path: Path, status: str, code: str, reason: str) -> FileReport:
    rel = path.relative_to(root).as_posix() if inside(root, path) else path.name
    return FileReport(rel, "failed" if status == "failed" else "skipped", code, reason)


def read_markdown(file: TreeFile, limits: ImportLimits) -> tuple[str, bytes]:
    """The text of a Markdown file (newlines normalised, BOM dropped) and its raw bytes."""
    if file.size > limits.max_file_bytes:
        raise FileProblem(
            "file_too_large",
            f"{file.size / 1_048_576:.1f} MB is over the {limits.max_file_bytes / 1_048_576:.0f} MB limit for "
            "one file; split it into several pages.",
        )
    raw = read_bytes(file, limits.max_file_bytes)
    if b"\x00" in raw:
        raise FileProblem("binary_file", "This is a binary file (it has NUL bytes), not Markdown text.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FileProblem(
            "not_utf8", f"Not UTF-8 text (invalid byte at line {line}); save it as UTF-8 and import again."
        ) from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n"), raw


def read_bytes(file: TreeFile, cap: int) -> bytes:
    # Read at most cap + 1 bytes: a file that grew since the walk is still caught.
    try:
        with open(file.path, "rb") as fh:
            raw = fh.read(cap + 1)
    except OSError as exc:
        raise FileProblem("read_error", f"Could not read the file: {exc.strerror or exc}.") from None
    if len(raw) > cap:
        raise FileProblem("file_too_large", f"Over the {cap / 1_048_576:.0f} MB limit for one file.")
    return raw
