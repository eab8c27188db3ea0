"""File paths and front matter -> page slugs and languages."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from ..errors import InvalidInput
from ..rules.slugs import validate_slug
from .model import Kind

INDEX_NAMES = ("index", "readme", "_index")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
# Docusaurus drops ordering prefixes from ids: '01-intro.md' -> 'intro', '2. setup' -> 'setup'.
_NUMBER_PREFIX = re.compile(r"^\d+\s*[-_.]\s*(?=.)")
# 'about.fr.md' (Hugo, mkdocs-static-i18n): a language suffix before the extension. Only ISO 639-1
# codes count, so that 'setup.py.md' or 'v1.2.md' keep their whole name.
_LANG_SUFFIX = re.compile(r"^(?P<name>.+)\.(?P<lang>[a-z]{2})(?:[-_](?P<region>[A-Za-z]{2}))?$")
_ISO_639_1 = frozenset(
    ["aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bh", "bi", "bm", "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da", "de", "dv", "dz", "ee", "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr", "fy", "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi", "ho", "hr", "ht", "hu", "hy", "hz", "ia", "id", "ie", "ig", "ii", "ik", "io", "is", "it", "iu", "ja", "jv", "ka", "kg", "ki", "kj", "kk", "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw", "ky", "la", "lb", "lg", "li", "ln", "lo", "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mr", "ms", "mt", "my", "na", "nb", "nd", "ne", "ng", "nl", "nn", "no", "nr", "nv", "ny", "oc", "oj", "om", "or", "os", "pa", "pi", "pl", "ps", "pt", "qu", "rm", "rn", "ro", "ru", "rw", "sa", "sc", "sd", "se", "sg", "si", "sk", "sl", "sm", "sn", "so", "sq", "sr", "ss", "st", "su", "sv", "sw", "ta", "te", "tg", "th", "ti", "tk", "tl", "tn", "to", "tr", "ts", "tt", "tw", "ty", "ug", "uk", "ur", "uz", "ve", "vi", "vo", "wa", "wo", "xh", "yi", "yo", "za", "zh", "zu"]
)


def segment(text: str) -> str:
    """One slug segment: ASCII-folded, lowercase, '-' for everything else. '' when nothing is left."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NOT_SLUG.sub("-", folded.lower()).strip("-")


def _segment_or_hash(text: str) -> str:
    # A name with no Latin letters at all ('指南') still needs a stable, valid segment.
    return segment(text) or "p-" + hashlib.sha256(text.encode()).hexdigest()[:8]


def split_name(rel: str) -> tuple[list[str], str | None]:
    """('guides/intro.fr.md') -> (['guides', 'intro'], 'fr'); the extension is dropped."""
    parts = rel.split("/")
    stem = parts[-1].rsplit(".", 1)[0] if "." in parts[-1] else parts[-1]
    language = None
    match = _LANG_SUFFIX.match(stem)
    if match and match.group("lang") in _ISO_639_1:
        region = match.group("region")
        language = match.group("lang") + (f"-{region.upper()}" if region else "")
        stem = match.group("name")
    return [*parts[:-1], stem], language


def is_index(rel: str) -> bool:
    parts, _ = split_name(rel)
    return parts[-1].lower() in INDEX_NAMES


def path_slug(rel: str, kind: Kind) -> str:
    """The slug a file's place in the tree gives it; section indexes take their folder's slug."""
    parts, _ = split_name(rel)
    if parts[-1].lower() in INDEX_NAMES:
        parts = parts[:-1]
    if kind == "docusaurus":
        parts = [_NUMBER_PREFIX.sub("", p) for p in parts]
    return "/".join(_segment_or_hash(p) for p in parts) or "index"


def folder_slug(rel: str, kind: Kind) -> str:
    """The slug of the folder a file is in ('' at the root)."""
    parts = rel.split("/")[:-1]
    if kind == "docusaurus":
        parts = [_NUMBER_PREFIX.sub("", p) for p in parts]
    return "/".join(_segment_or_hash(p) for p in parts)


def front_matter_slug(folder: str, value: str) -> str:
    """A `slug:`/`url:` from front matter: '/a/b' is absolute; otherwise it replaces the file's own name
    within its folder (Hugo and Docusaurus both read it so)."""
    value = value.strip()
    parts = [p for p in value.split("/") if p and p not in (".", "..")]
    if not value.startswith("/") and folder:
        parts = folder.split("/") + parts
    return "/".join(_segment_or_hash(p) for p in parts) or "index"


def checked(slug: str) -> str | None:
    """The slug if ComStack accepts it, else None (the caller reports why)."""
    try:
        return validate_slug(slug)
    except InvalidInput:
        return None


def section_of(slug: str) -> str:
    return slug.split("/", 1)[0] if "/" in slug else ""


def humanize(name: str) -> str:
    """A title from a file or folder name: '02-getting_started' -> 'Getting started'."""
    text = _NUMBER_PREFIX.sub("", name)
    text = re.sub(r"[-_]+", " ", text).strip()
    return (text[:1].upper() + text[1:]) if text else name
