"""Where a link or an image written in a file points, once every page's slug is known.

A relative link to another file of the tree becomes that page's site URL (`/guides/intro/#setup`,
which the site builder resolves per language like any internal link). A local image becomes the
placeholder `image:<sha256>`; the integration stores the bytes and swaps the placeholder for the
stored image's URL. Anything that cannot be resolved would be a broken link on the site: the link keeps only its text
(an image its alt text) and the file's report says so, with the line.
"""

from __future__ import annotations

import hashlib
import posixpath
from typing import TYPE_CHECKING

from .errors import ImportRefused
from .files import FileProblem, TreeFile, inside, read_bytes
from .lines import Context, Line
from .links import DROP, IMAGE_EXTENSIONS, rewrite, split_target
from .model import FileReport, ImportLimits, PlannedImage
from .sources import Source

if TYPE_CHECKING:
    from .draft import Draft

_PAGE_EXTENSIONS = (".md", ".mdx", ".markdown")
_INDEXES = ("index.md", "README.md", "readme.md", "_index.md", "index.mdx", "index.markdown")
_MAGIC = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
}


def _looks_like(media_type: str, data: bytes) -> bool:
    if media_type == "image/webp":
        return data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    if media_type == "image/svg+xml":
        return b"<svg" in data[:4096]
    return data.startswith(_MAGIC[media_type])


class Resolver:
    def __init__(
        self, source: Source, drafts: list[Draft], others: list[TreeFile], limits: ImportLimits, budget: list[int]
    ) -> None:
        self.source = source
        self.root = source.root
        self.prefix = source.content_prefix
        self.limits = limits
        self.budget = budget
        self.pages = {d.file.rel: d for d in drafts}
        self.others = {f.rel: f for f in others}
        self.images: dict[str, PlannedImage] = {}  # sha256 -> image
        self._image_at: dict[str, str | FileProblem | None] = {}  # rel -> sha256, a problem, or missing
        self._links: dict[str, list[str]] = {}
        self._used: dict[str, list[str]] = {}
        self._by_name: dict[str, list[Draft]] = {}
        for d in drafts:
            self._by_name.setdefault(posixpath.basename(d.file.rel).rsplit(".", 1)[0].lower(), []).append(d)
        self.statics = [
            s.relative_to(self.root).as_posix() + "/" for s in source.static_roots if inside(self.root, s.resolve())
        ]

    # -- pages ------------------------------------------------------------------------------------------------

    def rewrite(self, draft: Draft, ctx: Context) -> list[Line]:
        here = posixpath.dirname(draft.file.rel)
        links: list[str] = []
        images: list[str] = []

        def resolve(target: str, line: int) -> str | None:
            path, suffix = split_target(target)
            if not path:
                return None
            ext = posixpath.splitext(path)[1].lower()
            if ext in IMAGE_EXTENSIONS:
                return self._image(draft, here, path, line, ctx, images)
            found = self._page(here, path)
            if isinstance(found, str):
                ctx.note(line, "link", found.split(":", 1)[0], found.split(":", 1)[1].format(target=target))
                return DROP
            links.append(found.slug)
            return ("/" if found.slug == "index" else f"/{found.slug}/") + suffix

        out = rewrite(draft.lines, resolve)
        self._links[draft.file.rel] = list(dict.fromkeys(links))
        self._used[draft.file.rel] = list(dict.fromkeys(images))
        return out

    def _page(self, here: str, path: str) -> Draft | str:
        """The page a path names; a 'code:message' string when it names nothing importable."""
        starts = [self.prefix + path.lstrip("/")] if path.startswith("/") else [posixpath.join(here, path)]
        if self.source.kind == "hugo" and not path.startswith("/"):
            starts.append(self.prefix + path)  # Hugo refs also resolve from the content root
        if self.source.kind == "docusaurus" and path.startswith("/docs/"):
            starts.append(self.prefix + path[len("/docs/") :])
        for start in starts:
            rel = posixpath.normpath(start) if start else "."
            if rel == ".." or rel.startswith("../"):
                return "link_outside:Link {target!r} points outside the imported folder; only the link text is kept."
            for candidate in self._candidates(rel, path):
                if candidate in self.pages:
                    return self.pages[candidate]
            for candidate in self._candidates(rel, path):
                if candidate in self.others or (self.root / candidate).is_file():
                    if candidate.lower().endswith(_PAGE_EXTENSIONS):
                        return "link_not_imported:Link {target!r} names a file that is not imported; only the link text is kept."
                    return "link_file:Link {target!r} names a file that is not a page; it is not published, so only the link text is kept."
        if self.source.kind == "hugo":
            same = self._by_name.get(posixpath.basename(path).rsplit(".", 1)[0].lower(), [])
            if len(same) == 1:
                return same[0]
        if not posixpath.splitext(path)[1] and not path.endswith("/") and self.source.kind != "mkdocs":
            # '/pricing' in a Hugo or Docusaurus site may well be a route of the site itself.
            return "link_unresolved:Link {target!r} matches no file of the tree; only the link text is kept."
        return "link_missing:Link {target!r} names a file that does not exist; only the link text is kept."

    def _candidates(self, rel: str, written: str) -> list[str]:
        rel = "" if rel == "." else rel
        ext = posixpath.splitext(rel)[1].lower()
        folder = [posixpath.join(rel, name) for name in _INDEXES]
        if ext in _PAGE_EXTENSIONS:
            return [rel]
        if ext == ".html":  # a link to the built site: 'guide.html', 'guide/index.html'
            stem = rel[: -len(".html")]
            if posixpath.basename(stem) == "index":
                return [posixpath.join(posixpath.dirname(stem), name) for name in _INDEXES]
            return [stem + ".md", stem + ".mdx", *(posixpath.join(stem, n) for n in _INDEXES)]
        if written.endswith("/") or not rel or written in (".", "./"):
            return folder
        return [rel, rel + ".md", rel + ".mdx", rel + ".markdown", *folder]

    def links_of(self, draft: Draft) -> list[str]:
        return self._links.get(draft.file.rel, [])

    # -- images -----------------------------------------------------------------------------------------------

    def _image(self, draft: Draft, here: str, path: str, line: int, ctx: Context, used: list[str]) -> str:
        if path.startswith("/"):
            starts = [self.prefix + path[1:], *(s + path[1:] for s in self.statics), path[1:]]
        else:
            starts = [posixpath.join(here, path)]
        for start in starts:
            rel = posixpath.normpath(start)
            if rel == ".." or rel.startswith("../"):
                ctx.note(line, "image", "image_outside", f"Image {path!r} is outside the imported folder; only its alt text is kept.")
                return DROP
            found = self._load(rel)
            if found is None:
                continue
            if isinstance(found, FileProblem):
                ctx.note(line, "image", found.code, f"Image {path!r}: {found.message} Only its alt text is kept.")
                return DROP
            image = self.images[found]
            if draft.slug not in image.used_by:
                image.used_by.append(draft.slug)
            used.append(found)
            return image.placeholder
        ctx.note(line, "image", "image_missing", f"Image {path!r} was not found; only its alt text is kept.")
        return DROP

    def _load(self, rel: str) -> str | FileProblem | None:
        if rel in self._image_at:
            return self._image_at[rel]
        result: str | FileProblem | None = None
        file = self.others.get(rel) or self._outside_content(rel)
        if file is not None:
            try:
                data = read_bytes(file, self.limits.max_image_bytes)
                media_type = IMAGE_EXTENSIONS[posixpath.splitext(rel)[1].lower()]
                if not _looks_like(media_type, data):
                    raise FileProblem("image_invalid", f"the file is not a valid {media_type.split('/')[1].upper()}.")
                self.budget[0] -= len(data)
                if self.budget[0] < 0:
                    raise ImportRefused(
                        "The tree holds more Markdown and images than the import allows; import it in parts.",
                        code="tree_too_large",
                    )
                sha = hashlib.sha256(data).hexdigest()
                if sha not in self.images:
                    self.images[sha] = PlannedImage(rel, sha, len(data), media_type)
                result = sha
            except FileProblem as exc:
                result = exc
        self._image_at[rel] = result
        return result

    def _outside_content(self, rel: str) -> TreeFile | None:
        """Images beside the content folder (Hugo and Docusaurus `static/`, an MkDocs project's root)."""
        path = self.root / rel
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if not inside(self.root, real) or not real.is_file() or any(p.startswith(".") for p in rel.split("/")):
            return None
        return TreeFile(rel, real, real.stat().st_size)

    def images_of(self, draft: Draft) -> list[str]:
        return self._used.get(draft.file.rel, [])

    def file_reports(self) -> list[FileReport]:
        """One line per file of the content folder that is not Markdown."""
        out = []
        for rel in self.others:
            found = self._image_at.get(rel)
            if isinstance(found, FileProblem):
                out.append(FileReport(rel, "failed", found.code, found.message))
            elif isinstance(found, str):
                image = self.images[found]
                n = len(image.used_by)
                out.append(FileReport(rel, "imported", "image", f"Image shown by {n} page{'s' * (n != 1)}."))
            elif posixpath.splitext(rel)[1].lower() in IMAGE_EXTENSIONS:
                out.append(FileReport(rel, "skipped", "image_unused", "Image no page shows."))
            else:
                out.append(FileReport(rel, "skipped", "not_markdown", "Not a Markdown page."))
        return out
