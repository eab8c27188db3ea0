"""Reading a tree into an import plan: the one entry point, `read_tree`.

Two passes. The first reads every Markdown file (front matter, slug, language, syntax conversions);
the second, knowing every page's slug, rewrites links between files into site URLs and local images
into placeholders, then hashes each page as planned.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from ..errors import InvalidInput
from ..rules.locales import normalize_locale
from .convert import convert_document
from .draft import Draft
from .errors import ImportRefused
from .files import FileProblem, TreeFile, is_markdown, read_bytes, read_markdown, walk_tree
from .frontmatter import FrontMatterError, load_yaml, split_front_matter
from .lines import Context, Line, fence_end, is_fence
from .model import FileReport, ImportOptions, ImportPlan, Note, PlannedGroup, PlannedPage
from .navigation import FolderInfo, NavPage, from_folders, from_nav
from .paths import checked, folder_slug, front_matter_slug, humanize, is_index, path_slug, split_name
from .resolve import Resolver
from .snippets import Snippets, expand, include
from .sources import Source, detect
from .template_fields import apply_template_fields

MAX_TITLE = 300
MAX_DESCRIPTION = 1000
# Front matter keys the importer turns into page fields; every other key is kept as metadata.
_CONSUMED = {"title", "description", "slug", "url", "draft", "weight", "sidebar_position", "lang", "language"}
_H1 = re.compile(r"^#[ \t]+(?P<title>.+?)(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^=+[ \t]*$")
_CATEGORY_FILES = ("_category_.json", "_category_.yml", "_category_.yaml")


def read_tree(root: Path, options: ImportOptions | None = None) -> ImportPlan:
    """Read a folder (an MkDocs project, a Hugo or Docusaurus content folder, or plain Markdown files)
    into an import plan. Writes nothing. Raises ImportRefused when the tree as a whole cannot be read;
    problems with single files are lines of `plan.files`."""
    options = options or ImportOptions()
    try:
        language = normalize_locale(options.language)
    except InvalidInput as exc:
        raise ImportRefused(exc.message, code="invalid_language") from None
    source = detect(Path(root), options.kind)
    tree = walk_tree(source.root, options.limits, start=source.content_root)
    plan = ImportPlan(source.kind, source.site_name, language, source.content_prefix.rstrip("/"))
    plan.notes.extend(source.notes)
    plan.files.extend(tree.reports)
    snippets = Snippets(source.root, source.snippet_paths) if source.kind == "mkdocs" and source.snippet_paths else None
    prefix = source.content_prefix
    budget = [options.limits.max_total_bytes]
    drafts: list[Draft] = []
    others: list[TreeFile] = []
    folders: dict[str, FolderInfo] = {}
    for file in tree.files:
        rel = file.rel[len(prefix) :]
        name = rel.rsplit("/", 1)[-1]
        if name in _CATEGORY_FILES:
            folders[rel.rsplit("/", 1)[0] if "/" in rel else ""] = _category(file, plan)
        elif is_markdown(rel):
            draft = _read(file, rel, source, options, language, budget, snippets)
            plan.files.append(draft.report) if isinstance(draft, Draft) else plan.files.append(draft)
            if isinstance(draft, Draft):
                drafts.append(draft)
        else:
            others.append(file)
    drafts = _unique(drafts)
    resolver = Resolver(source, drafts, others, options.limits, budget)
    for draft in drafts:
        plan.pages.append(_finish(draft, resolver, options))
    plan.images = list(resolver.images.values())
    plan.files.extend(resolver.file_reports())
    plan.groups = _groups(source, drafts, tree.files, folders, plan, options)
    plan.files.sort(key=lambda f: f.path)
    return plan


def _category(file: TreeFile, plan: ImportPlan) -> FolderInfo:
    """Docusaurus `_category_.json|yml`: the folder's sidebar label and position."""
    info = FolderInfo()
    report = FileReport(file.rel, "skipped", "navigation_config", "Read for the sidebar (label and position).")
    try:
        data = load_yaml(read_bytes(file, 64 * 1024).decode("utf-8"))
    except Exception as exc:  # a broken category file only loses its label
        report.notes.append(Note(None, "unsupported", "category_invalid", f"Not readable: {exc}"))
        data = None
    if isinstance(data, dict):
        label = data.get("label")
        info.label = label.strip() if isinstance(label, str) and label.strip() else None
        position = data.get("position")
        info.position = float(position) if isinstance(position, int | float) and not isinstance(position, bool) else None
    plan.files.append(report)
    return info


def _read(
    file: TreeFile, rel: str, source: Source, options: ImportOptions, default_language: str, budget: list[int],
    snippets: Snippets | None,
) -> Draft | FileReport:
    try:
        text, raw = read_markdown(file, options.limits)
    except FileProblem as exc:
        return FileReport(file.rel, "failed", exc.code, exc.message)
    budget[0] -= len(raw)
    if budget[0] < 0:
        raise ImportRefused(
            f"The tree holds more than {options.limits.max_total_bytes / 1_048_576:.0f} MB of Markdown and images; "
            "import it in parts.",
            code="tree_too_large",
        )
    try:
        front, body, first_line = split_front_matter(text, json_allowed=source.kind == "hugo")
    except FrontMatterError as exc:
        where = f" (line {exc.line})" if exc.line else ""
        return FileReport(file.rel, "failed", "front_matter_invalid", f"{exc.message}{where}")
    report = FileReport(file.rel, "imported")
    if front.get("draft") is True and not options.include_drafts:
        return report.settle("skipped", "draft", "Marked 'draft: true' in its front matter.")
    ctx = Context(source.kind, file.rel, mdx=file.rel.endswith(".mdx") or source.kind == "docusaurus")
    language = _language(front, rel, default_language, ctx)
    slug = _slug(front, rel, source, ctx)
    if slug is None:
        return report.settle(
            "failed", "slug_invalid", "No valid page slug can be made from its path or its front matter 'slug'."
        )
    lines: list[Line] = [(first_line + n, t) for n, t in enumerate(body.split("\n"))]
    if snippets is not None:
        lines = expand(lines, ctx, snippets)
        last = lines[-1][0] if lines else first_line
        for name in source.snippet_auto_append:
            lines.extend(include(name, "", last, ctx, snippets, 0, quiet=True))
    lines = convert_document(lines, ctx)
    draft = Draft(
        file, rel, report, front, lines, slug, language, hashlib.sha256(raw).hexdigest(), ctx,
    )
    draft.title = _title(front, lines, rel, ctx)
    for key in ("weight", "sidebar_position"):
        value = front.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            draft.order = float(value)
            break
    report.slug, report.language = slug, language
    return draft


def _language(front: dict[str, Any], rel: str, default: str, ctx: Context) -> str:
    value = front.get("lang") or front.get("language")
    _, suffix = split_name(rel)
    for candidate, where in ((value, "front matter"), (suffix, "file name")):
        if isinstance(candidate, str) and candidate:
            try:
                return normalize_locale(candidate)
            except InvalidInput:
                ctx.note(None, "info", "language_invalid", f"Language {candidate!r} from its {where} is not a "
                         f"BCP-47 tag; {default} was used.")
    return default


def _slug(front: dict[str, Any], rel: str, source: Source, ctx: Context) -> str | None:
    kind = source.kind
    folder = folder_slug(rel, kind)
    value = front.get("slug")
    if kind == "hugo" and isinstance(front.get("url"), str):
        value = "/" + str(front["url"]).strip("/")
    elif kind == "docusaurus" and not isinstance(value, str) and isinstance(front.get("id"), str) and not is_index(rel):
        value = str(front["id"])
    if isinstance(value, str) and value.strip():
        slug = checked(front_matter_slug(folder, value))
        if slug is None:
            ctx.note(None, "info", "slug_invalid", f"Front matter slug {value!r} is not usable; the path was used.")
        else:
            return slug
    return checked(path_slug(rel, kind))


def _title(front: dict[str, Any], lines: list[Line], rel: str, ctx: Context) -> str:
    value = front.get("title")
    if not (isinstance(value, str) and value.strip()):
        value = _first_heading(lines)
    if not value:
        parts, _ = split_name(rel)
        name = parts[-1] if not is_index(rel) or len(parts) == 1 else parts[-2]
        value = humanize(name) if not (is_index(rel) and len(parts) == 1) else "Home"
    value = " ".join(str(value).split())
    if len(value) > MAX_TITLE:
        ctx.note(None, "info", "title_cut", f"Title cut to {MAX_TITLE} characters.")
        value = value[:MAX_TITLE]
    return value


def _first_heading(lines: list[Line]) -> str | None:
    i = 0
    previous = ""
    while i < len(lines):
        text = lines[i][1]
        if is_fence(text):
            i = fence_end(lines, i)
            previous = ""
            continue
        match = _H1.match(text)
        if match:
            return match.group("title").strip()
        if previous.strip() and _SETEXT.match(text) and not previous.startswith((" " * 4, "\t", ">")):
            return previous.strip()
        previous = text
        i += 1
    return None


def _unique(drafts: list[Draft]) -> list[Draft]:
    """Two files mapping to one (slug, language): the first by path keeps it, the other fails with a reason."""
    owners: dict[tuple[str, str], Draft] = {}
    kept: list[Draft] = []
    for draft in drafts:
        key = (draft.slug, draft.language)
        owner = owners.get(key)
        if owner is not None:
            draft.report.settle(
                "failed",
                "slug_conflict",
                f"Maps to slug {draft.slug!r} ({draft.language}), which {owner.file.rel} already has; give one of "
                "them a 'slug:' in its front matter or rename it.",
            )
            draft.report.slug = None
            continue
        owners[key] = draft
        kept.append(draft)
    return kept


def _finish(draft: Draft, resolver: Resolver, options: ImportOptions) -> PlannedPage:
    ctx = draft.ctx
    lines = resolver.rewrite(draft, ctx)
    content = "\n".join(text for _, text in lines).strip("\n")
    content = content + "\n" if content else ""
    front = draft.front
    description = front.get("description") or front.get("summary") or ""
    description = " ".join(description.split()) if isinstance(description, str) else ""
    if len(description) > MAX_DESCRIPTION:
        ctx.note(None, "info", "description_cut", f"Description cut to {MAX_DESCRIPTION} characters.")
        description = description[:MAX_DESCRIPTION]
    metadata = {k: v for k, v in front.items() if k not in _CONSUMED}
    if "summary" in metadata and description == front.get("summary"):
        del metadata["summary"]
    fields = apply_template_fields(metadata, list(options.template_fields), ctx)
    digest = hashlib.sha256(
        json.dumps(
            [draft.slug, draft.language, draft.title, description, content, metadata, options.doc_template_id],
            sort_keys=True, ensure_ascii=False, separators=(",", ":"),
        ).encode()
    ).hexdigest()
    report = draft.report
    report.notes = ctx.notes
    if any(n.kind == "converted" for n in ctx.notes):
        report.status = "converted"
    return PlannedPage(
        slug=draft.slug, language=draft.language, title=draft.title, description=description, content=content,
        metadata=metadata, template_fields=fields, doc_template_id=options.doc_template_id,
        source_path=draft.file.rel, source_hash=draft.raw_hash, content_hash=digest, order=draft.order,
        links=resolver.links_of(draft), images=resolver.images_of(draft),
    )


def _groups(
    source: Source, drafts: list[Draft], files: list[TreeFile], folders: dict[str, FolderInfo], plan: ImportPlan,
    options: ImportOptions,
) -> list[PlannedGroup]:
    default = [d for d in drafts if d.language == plan.language] or drafts
    nav_pages = {d.rel: NavPage(d.rel, d.slug, d.title, d.order, is_index(d.rel)) for d in default}
    if source.nav is not None:
        prefix = source.content_prefix
        known = {f.rel[len(prefix) :] for f in files}
        groups, placed = from_nav(source.nav, nav_pages, known, source.site_name, options.group_icon, plan.notes)
        for draft in default:
            if draft.rel not in placed:
                draft.report.notes.append(
                    Note(None, "info", "not_in_nav", "Not listed in mkdocs.yml nav: imported without a sidebar place.")
                )
        return groups
    return from_folders(list(nav_pages.values()), folders, source.site_name, options.group_icon, plan.notes)

