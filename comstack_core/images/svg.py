"""SVG: accepted only as a static drawing that cannot run code or reach outside itself.

An SVG opened on its own (not through `<img>`) is a document that can run script, so the policy is
strict and refuses rather than quietly repairs: an upload with script, event handlers, `foreignObject`,
any reference that is not a same-document `#fragment` (href, src, CSS `url()`), entity declarations
or that is not well-formed XML is refused with the list of what was found. What passes is rebuilt
from an allowlist of SVG elements and attributes (editor metadata such as Inkscape's is dropped), run
through nh3 with the same allowlist, and checked to parse again: the stored file is that output,
never the upload's bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.parsers import expat

import nh3

from comstack_core.images.errors import ACCEPTED, ImageRejected
from comstack_core.images.svg_names import ATTRIBUTES, ELEMENTS, FORBIDDEN_ELEMENTS

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XHTML_NS = "http://www.w3.org/1999/xhtml"

_ANIMATIONS = {"set", "animate", "animateTransform", "animateMotion", "animateColor"}
_FRAGMENT = re.compile(r"#[^\s'\"()<>\\]*")
_URL = re.compile(r"url\s*\(\s*['\"]?\s*([^'\")\s]*)", re.I)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
# CSS that loads or runs something without a url(): imports, image-set("x.png"), src("x"), old IE/Gecko
# hooks. A backslash is refused because CSS escapes can spell any of these (`\75rl(` is `url(`).
_CSS_FORBIDDEN = re.compile(r"@import|image-set\s*\(|\bsrc\s*\(|expression\s*\(|-moz-binding|behavior\s*:|\\", re.I)
_SCRIPT_URL = re.compile(r"(?:java|vb)script\s*:", re.I)
_CONTROL = re.compile(r"[\x00-\x20]+")
_LENGTH = re.compile(r"\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*(px|pt|pc|mm|cm|in)?\s*")
_UNITS = {None: 1.0, "px": 1.0, "pt": 4 / 3, "pc": 16.0, "mm": 96 / 25.4, "cm": 96 / 2.54, "in": 96.0}
MAX_SIDE = 100_000


@dataclass
class Svg:
    data: bytes
    width: int
    height: int


class _Unsafe(Exception):
    pass


class _NotSvg(Exception):
    pass


def _name(qualified: str) -> tuple[str, str]:
    """expat reports 'namespace local' (namespace processing on): split it, no namespace as ''."""
    namespace, _, local = qualified.rpartition(" ")
    return namespace, local


class _Walker:
    """Collects the problems of the whole document and, in the same pass, the allowed output."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.out: list[str] = []
        self.root: tuple[str, dict[str, str]] | None = None
        self.skip = 0  # depth inside an element that is dropped with everything in it
        self.stack: list[str] = []
        # expat hands text over in pieces (at line ends, entities, buffer edges): a style sheet is
        # checked whole, when its element ends, so no pattern can hide across two pieces.
        self.style: list[str] = []

    def problem(self, text: str) -> None:
        if text not in self.problems and len(self.problems) < 20:
            self.problems.append(text)

    def start(self, qualified: str, attrs: dict[str, str]) -> None:
        namespace, local = _name(qualified)
        if self.root is None:
            if local != "svg" or namespace not in ("", SVG_NS):
                raise _NotSvg(local)
            self.root = (local, attrs)
        if local in FORBIDDEN_ELEMENTS or namespace == XHTML_NS:
            self.problem(f"a <{local}> element")
        kept_attrs = self._attributes(local, attrs)
        self.stack.append(local)
        if self.skip or namespace not in ("", SVG_NS) or local not in ELEMENTS:
            self.skip += 1
            return
        if len(self.stack) == 1:
            kept_attrs.insert(0, f' xmlns="{SVG_NS}"')
        self.out.append(f"<{local}{''.join(kept_attrs)}>")

    def end(self, qualified: str) -> None:
        local = self.stack.pop()
        if local == "style":
            self._css("".join(self.style), "a <style> element")
            self.style.clear()
        if self.skip:
            self.skip -= 1
            return
        self.out.append(f"</{local}>")

    def text(self, data: str) -> None:
        if self.stack and self.stack[-1] == "style":
            self.style.append(data)
        if not self.skip:
            self.out.append(_escape(data))

    def _attributes(self, element: str, attrs: dict[str, str]) -> list[str]:
        kept = []
        for qualified, value in attrs.items():
            namespace, local = _name(qualified)
            where = f"{local}={value[:60]!r} on <{element}>"
            if local.lower().startswith("on"):
                self.problem(f"an event handler attribute {where}")
            is_ref = (namespace == XLINK_NS and local == "href") or (not namespace and local in ("href", "src"))
            if is_ref and not _FRAGMENT.fullmatch(value.strip()):
                self.problem(f"a reference outside the drawing, {where} (only #id references are allowed)")
            if _SCRIPT_URL.search(_CONTROL.sub("", value)):
                self.problem(f"a script URL in {where}")
            if element in _ANIMATIONS and local == "attributeName":
                target = value.strip().lower()
                if target.endswith("href") or target.startswith("on"):
                    self.problem(f"an animation of {value!r} on <{element}>")
            self._css(value, where)
            if is_ref:
                kept.append(f' href="{_escape(value.strip())}"')
            elif not namespace and local in ATTRIBUTES:
                kept.append(f' {local}="{_escape(value)}"')
        return kept

    def _css(self, text: str, where: str) -> None:
        text = _CSS_COMMENT.sub("", text)
        for target in _URL.findall(text):
            if not target.startswith("#"):
                self.problem(f"a url() outside the drawing in {where} (only url(#id) is allowed)")
        if _CSS_FORBIDDEN.search(text):
            self.problem(f"CSS that can load or run something (@import, image-set, src(), a backslash) in {where}")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _parser(walker: _Walker | None) -> expat.XMLParserType:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def doctype(name: str, system_id: str | None, public_id: str | None, internal_subset: int) -> None:
        if internal_subset:
            raise _Unsafe("a DOCTYPE with declarations of its own (entities can expand without bound)")

    def entity(*_: object) -> None:
        raise _Unsafe("an entity declaration")

    def instruction(target: str, data: str) -> None:
        if target.lower() == "xml-stylesheet":
            raise _Unsafe("an xml-stylesheet instruction (it loads an external style sheet)")

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.ProcessingInstructionHandler = instruction
    if walker is not None:
        parser.StartElementHandler = walker.start
        parser.EndElementHandler = walker.end
        parser.CharacterDataHandler = walker.text
    return parser


def _parse(data: bytes, walker: _Walker | None) -> None:
    try:
        _parser(walker).Parse(data, True)
    except expat.ExpatError as error:
        raise ImageRejected(
            f"The SVG is not well-formed XML ({expat.ErrorString(error.code)} at line {error.lineno}, "
            f"column {error.offset}). Save it again from a drawing program. {ACCEPTED}",
            code="svg_invalid",
        ) from None
    except _Unsafe as error:
        raise _refuse([str(error)]) from None
    except _NotSvg as error:
        raise ImageRejected(
            f"The file is an XML document whose root element is <{error}>, not an SVG image. {ACCEPTED}",
            code="image_type_unsupported",
        ) from None


def _refuse(problems: list[str]) -> ImageRejected:
    return ImageRejected(
        "The SVG was refused because it contains " + "; ".join(problems) + ". SVG images must be static "
        "drawings: remove scripts, event handlers, embedded HTML and references to other files or sites "
        "(embed images as shapes or upload them as PNG/JPEG), or export the drawing as PNG.",
        code="svg_unsafe",
        problems=problems,
    )


def _length(value: str | None) -> float | None:
    match = _LENGTH.fullmatch(value or "")
    if not match:
        return None
    number = float(match.group(1)) * _UNITS[match.group(2)]
    return number if 0 < number < float("inf") else None


def _size(attrs: dict[str, str]) -> tuple[int, int]:
    width, height = _length(attrs.get("width")), _length(attrs.get("height"))
    box = re.split(r"[\s,]+", attrs.get("viewBox", "").strip())
    ratio = None
    if len(box) == 4:
        try:
            box_w, box_h = float(box[2]), float(box[3])
        except ValueError:
            box_w = box_h = 0.0
        if box_w > 0 and box_h > 0:
            ratio = box_w / box_h
            if width is None and height is None:
                width, height = box_w, box_h
    if width is not None and height is None and ratio:
        height = width / ratio
    if height is not None and width is None and ratio:
        width = height * ratio
    if width is None or height is None or width > MAX_SIDE or height > MAX_SIDE:
        raise ImageRejected(
            "The SVG has no usable size: give the <svg> element a viewBox (e.g. viewBox=\"0 0 400 300\") "
            "or width and height in pixels, each at most 100000. Pages reserve an image's space from its "
            "size before it loads.",
            code="svg_size_unknown",
        )
    return max(1, round(width)), max(1, round(height))


def sanitize_svg(data: bytes) -> Svg:
    walker = _Walker()
    _parse(data, walker)
    if walker.problems:
        raise _refuse(walker.problems)
    assert walker.root is not None  # a document that parsed has a root
    width, height = _size(walker.root[1])
    cleaned = nh3.clean(
        "".join(walker.out),
        tags=ELEMENTS,
        attributes={"*": ATTRIBUTES | {"xmlns", "href"}},
        clean_content_tags=set(),
        strip_comments=True,
        link_rel=None,
        url_schemes=set(),
    )
    # nh3 serializes as HTML: its one entity XML does not know is &nbsp;.
    output = cleaned.replace("&nbsp;", "&#160;").encode()
    _parse(output, None)
    return Svg(output, width, height)
