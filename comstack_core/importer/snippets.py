"""pymdownx.snippets (`--8<-- "file.md"`): the included files are inlined, as MkDocs would render them.

Files are looked up in the extension's `base_path` list from mkdocs.yml and must stay inside the
imported tree. Line ranges (`file.md:3:8`) and named sections (`file.md:name`) are honoured; remote
(URL) snippets are reported, never fetched.
"""

from __future__ import annotations

import re
from pathlib import Path

from .files import inside
from .lines import Context, Line, fence_end, is_fence

MAX_DEPTH = 4
MAX_SNIPPET_BYTES = 1024 * 1024
_SINGLE = re.compile(r"""^(?P<indent>\s*)(?P<escape>;?)--8<--[ \t]+(?P<q>['"])(?P<name>.+?)(?P=q)\s*$""")
_BLOCK = re.compile(r"^(?P<indent>\s*)(?P<escape>;?)--8<--\s*$")
_SECTION = re.compile(r"^\s*(?:<!--|#|//|;)?\s*--8<--\s*\[(?P<edge>start|end):(?P<name>[\w-]+)\]")
_RANGE = re.compile(r"^(?P<file>.+?)(?::(?P<a>-?\d*)(?::(?P<b>-?\d*))?)?$")
_NAMED = re.compile(r"^(?P<file>.+):(?P<section>[A-Za-z_][\w-]*)$")


class Snippets:
    def __init__(self, root: Path, bases: list[Path]) -> None:
        self.root = root
        self.bases = bases
        self._cache: dict[Path, list[str] | None] = {}

    def _find(self, name: str) -> Path | None:
        for base in self.bases:
            candidate = base if base.is_file() and base.name == name else (base / name)
            try:
                candidate = candidate.resolve()
            except OSError:
                continue
            if inside(self.root, candidate) and candidate.is_file():
                return candidate
        return None

    def _read(self, path: Path) -> list[str] | None:
        if path not in self._cache:
            try:
                if path.stat().st_size > MAX_SNIPPET_BYTES:
                    self._cache[path] = None
                else:
                    self._cache[path] = path.read_text("utf-8").replace("\r\n", "\n").split("\n")
            except (OSError, UnicodeDecodeError):
                self._cache[path] = None
        return self._cache[path]

    def lines(self, spec: str) -> list[str] | None:
        """The lines a snippet spec names, or None when it cannot be read."""
        named = _NAMED.match(spec)
        section = None
        if named and not named.group("section").isdigit():
            spec, section = named.group("file"), named.group("section")
        ranged = _RANGE.match(spec)
        assert ranged is not None
        path = self._find(ranged.group("file"))
        if path is None:
            return None
        text = self._read(path)
        if text is None:
            return None
        if section is not None:
            text = _section(text, section)
        elif ranged.group("a") or ranged.group("b"):
            a = int(ranged.group("a") or 1)
            b = int(ranged.group("b") or len(text))
            text = text[max(a, 1) - 1 : b]
        return [t for t in text if not _SECTION.match(t)]


def _section(text: list[str], name: str) -> list[str]:
    out: list[str] = []
    inside_section = False
    for line in text:
        marker = _SECTION.match(line)
        if marker and marker.group("name") == name:
            inside_section = marker.group("edge") == "start"
            continue
        if inside_section:
            out.append(line)
    return out


def expand(lines: list[Line], ctx: Context, snippets: Snippets, depth: int = 0) -> list[Line]:
    out: list[Line] = []
    i = 0
    while i < len(lines):
        no, text = lines[i]
        if is_fence(text):
            end = fence_end(lines, i)
            out.extend(_in_fence(lines[i:end], ctx, snippets, depth))
            i = end
            continue
        single = _SINGLE.match(text)
        block = None if single else _BLOCK.match(text)
        if single and single.group("escape"):
            out.append((no, text.replace(";--8<--", "--8<--", 1)))
        elif single:
            out.extend(include(single.group("name"), single.group("indent"), no, ctx, snippets, depth))
        elif block and not block.group("escape"):
            j = i + 1
            names: list[str] = []
            while j < len(lines) and not _BLOCK.match(lines[j][1]):
                name = lines[j][1].strip()
                if name and not name.startswith(";"):
                    names.append(name)
                j += 1
            if j == len(lines):
                ctx.note(no, "unsupported", "snippet", "Snippet block '--8<--' is never closed; left as written.")
                out.append((no, text))
            else:
                for name in names:
                    out.extend(include(name, block.group("indent"), no, ctx, snippets, depth))
                i = j
        elif block:
            out.append((no, text.replace(";--8<--", "--8<--", 1)))
        else:
            out.append((no, text))
        i += 1
    return out


def _in_fence(lines: list[Line], ctx: Context, snippets: Snippets, depth: int) -> list[Line]:
    # Snippets work inside code blocks too (that is how examples are included); escaped ones show as-is.
    out: list[Line] = []
    for no, text in lines:
        single = _SINGLE.match(text)
        if single and not single.group("escape"):
            out.extend(include(single.group("name"), single.group("indent"), no, ctx, snippets, depth, quiet=True))
        elif single:
            out.append((no, text.replace(";--8<--", "--8<--", 1)))
        else:
            out.append((no, text))
    return out


def include(
    name: str, indent: str, no: int, ctx: Context, snippets: Snippets, depth: int, quiet: bool = False
) -> list[Line]:
    if "://" in name:
        ctx.note(no, "unsupported", "snippet", f"Remote snippet {name!r} is not fetched; left out.")
        return [(no, f"{indent}<!-- snippet {name} not fetched -->")]
    if depth >= MAX_DEPTH:
        ctx.note(no, "unsupported", "snippet", f"Snippet {name!r} nests deeper than {MAX_DEPTH} levels; left out.")
        return []
    text = snippets.lines(name)
    if text is None:
        ctx.note(no, "unsupported", "snippet", f"Snippet {name!r} was not found in the snippet folders; left out.")
        return []
    if not quiet:
        ctx.note(no, "converted", "snippet", f"Snippet {name!r} inlined ({len(text)} lines).")
    included = [(no, indent + t if t.strip() else "") for t in text]
    return expand(included, ctx, snippets, depth + 1)
