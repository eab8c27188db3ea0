"""What kind of docs tree this is, where its pages live and what its config says.

MkDocs: `mkdocs.yml` (`site_name`, `docs_dir`, `nav`, the snippets extension's paths). Hugo: a site
config beside `content/`, or a content folder of `_index.md` sections. Docusaurus: a
`docusaurus.config.*` beside `docs/`, or a docs folder with `_category_.json` files or `.mdx` pages.
Anything else is a plain folder of Markdown files.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import ImportRefused
from .files import inside
from .frontmatter import load_yaml
from .model import Kind, Note

_HUGO_CONFIGS = ("hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json", "config.toml", "config.yaml", "config.yml")
_DOCUSAURUS_CONFIGS = ("docusaurus.config.js", "docusaurus.config.ts", "docusaurus.config.mjs")
_JS_TITLE = re.compile(r"""^\s*title\s*:\s*(['"])(.+?)\1""", re.M)


@dataclass
class NavItem:
    title: str | None
    target: str | None  # a file relative to the docs folder, or an external URL
    children: list[NavItem] = field(default_factory=list)
    line_hint: str = ""  # how it was written, for reports


@dataclass
class Source:
    kind: Kind
    root: Path
    content_root: Path
    site_name: str | None = None
    nav: list[NavItem] | None = None
    snippet_paths: list[Path] = field(default_factory=list)
    snippet_auto_append: list[str] = field(default_factory=list)
    static_roots: list[Path] = field(default_factory=list)  # where '/img/x.png' style images live
    notes: list[Note] = field(default_factory=list)

    @property
    def content_prefix(self) -> str:
        rel = self.content_root.relative_to(self.root).as_posix()
        return "" if rel == "." else rel + "/"


def detect(root: Path, forced: Kind | None = None) -> Source:
    root = root.resolve()
    for name in ("mkdocs.yml", "mkdocs.yaml"):
        if (root / name).is_file() and forced in (None, "mkdocs"):
            return _mkdocs(root, root / name)
    if forced in (None, "hugo"):
        for name in _HUGO_CONFIGS:
            if (root / name).is_file() and (root / "content").is_dir():
                return Source(
                    "hugo", root, root / "content", site_name=_hugo_title(root / name),
                    static_roots=[root / "static"],
                )
    if forced in (None, "docusaurus"):
        for name in _DOCUSAURUS_CONFIGS:
            if (root / name).is_file() and (root / "docs").is_dir():
                match = _JS_TITLE.search((root / name).read_text("utf-8", "replace")[:200_000])
                return Source(
                    "docusaurus", root, root / "docs", site_name=match.group(2) if match else None,
                    static_roots=[root / "static"],
                )
    return Source(forced or _guess(root), root, root)


def _guess(root: Path) -> Kind:
    """A content folder without its site config: tell by the files Hugo and Docusaurus add."""
    hugo = docusaurus = 0
    for n, path in enumerate(root.rglob("*")):
        if n > 2000:
            break
        name = path.name
        if name == "_index.md":
            hugo += 1
        elif name in ("_category_.json", "_category_.yml", "_category_.yaml") or name.endswith(".mdx"):
            docusaurus += 1
    if hugo > docusaurus:
        return "hugo"
    return "docusaurus" if docusaurus else "plain"


def _hugo_title(config: Path) -> str | None:
    try:
        text = config.read_text("utf-8")
        data: Any
        if config.suffix == ".toml":
            data = tomllib.loads(text)
        elif config.suffix == ".json":
            data = json.loads(text)
        else:
            data = load_yaml(text)
    except (OSError, ValueError, yaml.YAMLError):
        return None
    title = data.get("title") if isinstance(data, dict) else None
    return title if isinstance(title, str) and title.strip() else None


def _mkdocs(root: Path, config_path: Path) -> Source:
    try:
        config = load_yaml(config_path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportRefused(f"{config_path.name} could not be read: {exc}.", code="config_unreadable") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise ImportRefused(
            f"{config_path.name} is not valid YAML{where}: {getattr(exc, 'problem', None) or exc}.",
            code="config_invalid",
        ) from None
    if not isinstance(config, dict):
        raise ImportRefused(f"{config_path.name} is not a mapping of settings.", code="config_invalid")
    docs_dir = config.get("docs_dir") or "docs"
    content_root = (root / str(docs_dir)).resolve()
    if not inside(root, content_root) or not content_root.is_dir():
        raise ImportRefused(
            f"{config_path.name} names docs_dir {docs_dir!r}, which is not a folder inside the imported tree.",
            code="docs_dir_missing",
        )
    source = Source("mkdocs", root, content_root)
    name = config.get("site_name")
    source.site_name = name.strip() if isinstance(name, str) and name.strip() else None
    if "nav" in config:
        source.nav = _nav(config["nav"], source.notes)
    _snippets(config, source)
    return source


def _nav(raw: Any, notes: list[Note]) -> list[NavItem]:
    items: list[NavItem] = []
    if not isinstance(raw, list):
        notes.append(Note(None, "unsupported", "nav_invalid", "mkdocs.yml 'nav' is not a list; it was ignored."))
        return items
    for entry in raw:
        if isinstance(entry, str):
            items.append(NavItem(None, entry, line_hint=entry))
        elif isinstance(entry, dict) and len(entry) == 1:
            ((title, value),) = entry.items()
            title = str(title)
            if isinstance(value, list):
                items.append(NavItem(title, None, _nav(value, notes), line_hint=title))
            elif isinstance(value, str):
                items.append(NavItem(title, value, line_hint=f"{title}: {value}"))
            else:
                notes.append(Note(None, "unsupported", "nav_invalid", f"nav entry {title!r} has no page; ignored."))
        else:
            notes.append(Note(None, "unsupported", "nav_invalid", f"nav entry {entry!r} is not understood; ignored."))
    return items


def _snippets(config: dict[str, Any], source: Source) -> None:
    """pymdownx.snippets: where `--8<--` files are looked up, and the files appended to every page."""
    options: Any = None
    for ext in config.get("markdown_extensions") or []:
        if ext == "pymdownx.snippets":
            options = {}
        elif isinstance(ext, dict) and "pymdownx.snippets" in ext:
            options = ext["pymdownx.snippets"] or {}
    if options is None:
        return
    bases = options.get("base_path", ".") if isinstance(options, dict) else "."
    for base in [bases] if isinstance(bases, str) else list(bases or []):
        path = (source.root / str(base)).resolve()
        if inside(source.root, path):
            source.snippet_paths.append(path)
    appended = options.get("auto_append") if isinstance(options, dict) else None
    source.snippet_auto_append = [str(a) for a in appended or []]
