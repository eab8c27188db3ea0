"""Lint: advisory findings about an uploaded page (no <h1>, images without alt text, render-blocking
scripts, huge inline SVGs); none of them blocks an upload."""

from __future__ import annotations

from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

from .tree import ASCII_LOWER, document, document_roots, truncate, walk

HUGE_INLINE_SVG_BYTES = 50_000


@dataclass(frozen=True, slots=True)
class LintFinding:
    rule: str  # 'missing-h1' | 'img-missing-alt' | 'render-blocking-script' | 'huge-inline-image'
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "message": self.message}


# Script types a browser runs as classic scripts; any other non-empty type (JSON, templates) is
# never executed, so it cannot block rendering.
_CLASSIC_SCRIPT_TYPES = frozenset(
    {
        "application/ecmascript",
        "application/javascript",
        "application/x-ecmascript",
        "application/x-javascript",
        "text/ecmascript",
        "text/javascript",
        "text/javascript1.0",
        "text/javascript1.1",
        "text/javascript1.2",
        "text/javascript1.3",
        "text/javascript1.4",
        "text/javascript1.5",
        "text/jscript",
        "text/livescript",
        "text/x-ecmascript",
        "text/x-javascript",
    }
)

# Elements that put something on screen by themselves, even without text. Empty wrappers
# (<div>, <main>) do not count: a script inside an empty wrapper still blocks the first paint.
_VISIBLE_ELEMENTS = frozenset(
    {
        "audio",
        "button",
        "canvas",
        "embed",
        "hr",
        "iframe",
        "img",
        "input",
        "math",
        "object",
        "picture",
        "select",
        "svg",
        "textarea",
        "video",
    }
)

# Text inside these is not rendered content.
_NON_CONTENT_PARENTS = frozenset({"script", "style", "noscript", "template", "title"})


def _blocks_rendering(attributes: dict[str, str | None]) -> bool:
    if "async" in attributes or "defer" in attributes:
        return False
    script_type = (attributes.get("type") or "").strip().translate(ASCII_LOWER)
    if script_type == "module":
        return False  # module scripts are deferred by default
    return not script_type or script_type in _CLASSIC_SCRIPT_TYPES


def _blocking_scripts(tree: LexborHTMLParser) -> dict[int, str]:
    """Synchronous external scripts in <head>, or in <body> before anything is rendered, as
    ``{mem_id: where}``. Later ones only hold up what follows them, which is usually nothing."""
    found: dict[int, str] = {}
    if tree.head is not None:
        for script in tree.head.css("script[src]"):
            if _blocks_rendering(script.attributes):
                found[script.mem_id] = "in <head>"
    if tree.body is not None:
        for node in tree.body.traverse(include_text=True):
            if node.is_text_node:
                parent = node.parent
                if (node.text_content or "").strip() and (
                    parent is None or parent.tag not in _NON_CONTENT_PARENTS
                ):
                    break
            elif node.tag in _VISIBLE_ELEMENTS:
                break
            elif node.tag == "script" and node.attributes.get("src") and _blocks_rendering(node.attributes):
                found[node.mem_id] = "at the top of <body>, before any content,"
    return found


def lint_html(html: str) -> list[LintFinding]:
    """Advisory findings; none of them blocks an upload."""
    tree = document(html)
    findings: list[LintFinding] = []

    if tree.css_first("h1") is None:
        findings.append(
            LintFinding(
                "missing-h1",
                "The page has no <h1>; add one <h1> that states what the page is about "
                "(search engines and screen readers use it as the page's main heading).",
            )
        )

    for number, image in enumerate(tree.css("img"), start=1):
        attributes = image.attributes
        # A bare or empty alt is fine: it marks the image as decorative.
        if "alt" not in attributes:
            source = attributes.get("src") or attributes.get("srcset") or "none"
            findings.append(
                LintFinding(
                    "img-missing-alt",
                    f'Image {number} (src={truncate(source)}) has no alt text; add alt="..." describing it, '
                    'or alt="" if it is purely decorative.',
                )
            )

    blocking = _blocking_scripts(tree)
    external_scripts = [node for node in tree.css("script") if node.attributes.get("src")]
    for number, script in enumerate(external_scripts, start=1):
        place = blocking.get(script.mem_id)
        if place is None:
            continue
        findings.append(
            LintFinding(
                "render-blocking-script",
                f"Script {number} (src={truncate(script.attributes.get('src') or '')}) {place} blocks "
                'rendering until it downloads and runs; add defer (or async, or type="module") or move '
                "it to the end of <body>.",
            )
        )

    svg_number = 0
    for element, _attributes, scope in walk(document_roots(tree), templates=False):
        if element.tag != "svg" or scope.in_svg:
            continue  # an <svg> inside another is already counted in its parent's size
        svg_number += 1
        size = len((element.html or "").encode("utf-8"))
        if size > HUGE_INLINE_SVG_BYTES:
            findings.append(
                LintFinding(
                    "huge-inline-image",
                    f"Inline <svg> {svg_number} is {size / 1000:.1f} KB (over "
                    f"{HUGE_INLINE_SVG_BYTES // 1000} KB) and is re-downloaded with every page view; save "
                    'it as an .svg file and reference it with <img src="..." alt="..."> so browsers can '
                    "cache it.",
                )
            )
    return findings
