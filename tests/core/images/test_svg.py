"""SVG: a static drawing is accepted (and rebuilt), anything that can run code or reach outside the
drawing is refused with what was found."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest

from comstack_core.images import ImageRejected, process_image

SVG = "http://www.w3.org/2000/svg"

INKSCAPE = b"""<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<!-- Created with Inkscape -->
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
     xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
     xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
     width="210mm" height="297mm" viewBox="0 0 210 297" version="1.1" inkscape:version="1.3">
  <sodipodi:namedview id="base" pagecolor="#ffffff"/>
  <metadata><rdf:RDF><rdf:Description about="x"/></rdf:RDF></metadata>
  <defs>
    <linearGradient id="grad" gradientUnits="userSpaceOnUse" x1="0" y1="0" x2="10" y2="0">
      <stop offset="0" stop-color="#fff"/><stop offset="1" stop-color="#000" stop-opacity="0.5"/>
    </linearGradient>
    <style>.cls-1 { fill: url(#grad); stroke: #333 } g > .cls-1 { opacity: .9 }</style>
    <filter id="blur"><feGaussianBlur stdDeviation="2"/></filter>
  </defs>
  <g inkscape:label="Layer 1" inkscape:groupmode="layer" transform="translate(10,10)">
    <rect class="cls-1" x="10" y="10" width="100" height="50" rx="4" filter="url(#blur)"/>
    <use xlink:href="#grad"/>
    <path d="M 0,0 L 10,10 Z" style="fill:url('#grad');stroke-width:2"/>
    <text x="5" y="80" font-family="Open Sans">Caf\xc3\xa9 &amp; cr\xc3\xa8me\xc2\xa0&lt;3</text>
  </g>
</svg>
"""


def parse(data: bytes) -> ElementTree.Element:
    return ElementTree.fromstring(data)


def test_a_drawing_program_svg_is_accepted_and_rebuilt() -> None:
    result = process_image(INKSCAPE)
    assert result.format == "svg" and result.content_type == "image/svg+xml" and result.extension == "svg"
    assert (result.width, result.height) == (794, 1123)  # 210 x 297 mm at 96 px per inch
    assert result.frames == 1 and result.vector and result.pixels is None
    root = parse(result.data)  # well-formed XML, served as image/svg+xml
    assert root.tag == f"{{{SVG}}}svg"
    assert root.get("viewBox") == "0 0 210 297"
    text = result.data.decode()
    for dropped in ("inkscape", "sodipodi", "rdf:", "metadata", "DOCTYPE", "<!--", "version="):
        assert dropped not in text, dropped
    use = root.find(f".//{{{SVG}}}use")
    assert use is not None and use.get("href") == "#grad"  # xlink:href, now plain href (SVG 2)
    style = root.find(f".//{{{SVG}}}style")
    assert style is not None and "g > .cls-1" in (style.text or "")
    label = root.find(f".//{{{SVG}}}text")
    assert label is not None and label.text == "Café & crème\u00a0<3"
    assert root.find(f".//{{{SVG}}}feGaussianBlur") is not None  # camelCase names survive
    assert process_image(result.data).data == result.data  # stable: processing it again changes nothing


@pytest.mark.parametrize(
    ("attributes", "size"),
    [
        ('width="120" height="80"', (120, 80)),
        ('width="120px" height="80.4px"', (120, 80)),
        ('viewBox="0 0 300 150"', (300, 150)),
        ('viewBox="0,0,300,150" width="600"', (600, 300)),
        ('viewBox="0 0 300 150" height="50"', (100, 50)),
        ('width="1in" height="72pt"', (96, 96)),
        ('width="100%" height="100%" viewBox="0 0 40 20"', (40, 20)),
    ],
)
def test_size_comes_from_width_height_or_viewbox(attributes: str, size: tuple[int, int]) -> None:
    data = f'<svg xmlns="{SVG}" {attributes}><circle cx="5" cy="5" r="4"/></svg>'.encode()
    result = process_image(data)
    assert (result.width, result.height) == size


@pytest.mark.parametrize("attributes", ["", 'width="100%" height="50%"', 'viewBox="0 0 0 0"', 'width="1e9" height="5"'])
def test_svg_without_a_usable_size_is_refused(attributes: str) -> None:
    with pytest.raises(ImageRejected) as caught:
        process_image(f'<svg xmlns="{SVG}" {attributes}><rect width="5" height="5"/></svg>'.encode())
    assert caught.value.code == "svg_size_unknown"
    assert "viewBox" in caught.value.message


UNSAFE = [
    ('<script>alert(1)</script>', "<script>"),
    ('<script xlink:href="https://evil.example/x.js"/>', "<script>"),
    ('<rect width="5" height="5" onclick="alert(1)"/>', "event handler"),
    ('<rect width="5" height="5" ONLOAD="alert(1)"/>', "event handler"),
    ('<foreignObject width="10" height="10"><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>', "foreignObject"),
    ('<image href="https://evil.example/track.png" width="5" height="5"/>', "reference outside"),
    ('<image href="data:image/png;base64,iVBORw0KGgo=" width="5" height="5"/>', "reference outside"),
    ('<use xlink:href="other.svg#icon"/>', "reference outside"),
    ('<a href="javascript:alert(1)"><rect width="5" height="5"/></a>', "script URL"),
    ('<a xlink:href="java\tscript:alert(1)"><rect width="5" height="5"/></a>', "script URL"),
    ('<rect width="5" height="5" fill="url(https://evil.example/p.svg#g)"/>', "url()"),
    ('<rect width="5" height="5" style="fill: url( \'//evil.example/p.svg#g\' )"/>', "url()"),
    ("<style>@import 'https://evil.example/x.css';</style>", "@import"),
    ("<style>rect { background: url(https://evil.example/bg.png) }</style>", "url()"),
    ("<style>rect { fill: \\75rl(https://evil.example/x) }</style>", "backslash"),
    ("<style>rect { fill: red }\n@imp&#111;rt 'https://evil.example/x.css';\n</style>", "@import"),
    ("<style><![CDATA[rect { background: u]]>rl(https://evil.example/bg.png) }</style>", "url()"),
    ('<set attributeName="href" to="javascript:alert(1)"/>', "animation"),
    ('<animate attributeName="onbegin" values="alert(1)"/>', "animation"),
    ('<iframe src="https://evil.example"/>', "<iframe>"),
    ('<html:script xmlns:html="http://www.w3.org/1999/xhtml">alert(1)</html:script>', "<script>"),
]


@pytest.mark.parametrize(("body", "found"), UNSAFE)
def test_unsafe_svg_is_refused_saying_what_was_found(body: str, found: str) -> None:
    data = f'<svg xmlns="{SVG}" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">{body}</svg>'
    with pytest.raises(ImageRejected) as caught:
        process_image(data.encode())
    error = caught.value
    assert error.code == "svg_unsafe"
    assert any(found in problem for problem in error.details["problems"]), error.details
    assert "static drawings" in error.message


def test_onload_on_the_root_is_refused() -> None:
    with pytest.raises(ImageRejected) as caught:
        process_image(f'<svg xmlns="{SVG}" viewBox="0 0 1 1" onload="alert(1)"/>'.encode())
    assert caught.value.code == "svg_unsafe"


def test_entity_declarations_are_refused_before_they_expand() -> None:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><svg xmlns="http://www.w3.org/2000/svg" '
        b'viewBox="0 0 1 1"><text>&c;&c;&c;&c;</text></svg>'
    )
    with pytest.raises(ImageRejected) as caught:
        process_image(laughs)
    assert caught.value.code == "svg_unsafe"
    external = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><text>&x;</text></svg>'
    )
    with pytest.raises(ImageRejected) as caught:
        process_image(external)
    assert caught.value.code == "svg_unsafe"


def test_an_external_style_sheet_instruction_is_refused() -> None:
    data = b'<?xml-stylesheet href="https://evil.example/x.css"?><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>'
    with pytest.raises(ImageRejected) as caught:
        process_image(data)
    assert caught.value.code == "svg_unsafe"


@pytest.mark.parametrize(
    "data",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" width="2"/></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1">&nbsp;</svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"',
    ],
)
def test_svg_that_is_not_well_formed_xml_is_refused(data: bytes) -> None:
    with pytest.raises(ImageRejected) as caught:
        process_image(data)
    assert caught.value.code == "svg_invalid"
    assert "line 1" in caught.value.message


def test_an_html_page_with_an_svg_in_it_is_not_an_svg() -> None:
    with pytest.raises(ImageRejected) as caught:
        process_image(b'<html><body><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/></body></html>')
    assert caught.value.code == "image_type_unsupported"


def test_text_and_attribute_values_stay_well_formed() -> None:
    data = (
        f'<svg xmlns="{SVG}" viewBox="0 0 10 10" aria-label="a &lt; b &gt; c &amp; &quot;d&quot; ">'
        '<text>say "hi" x="z&lt;/text&gt;" &amp;  </text></svg>'
    ).encode()
    root = parse(process_image(data).data)
    assert root.get("aria-label") == 'a < b > c & "d" '
    assert root[0].text == 'say "hi" x="z</text>" &  '


def test_stored_svg_has_only_allowed_elements_even_when_html_names_hide_in_svg() -> None:
    # <p> or <b> in the SVG namespace would make an HTML parser leave the <svg> (the mutation-XSS
    # trick); they are not SVG elements, so they are dropped before the sanitizer ever sees them.
    data = f'<svg xmlns="{SVG}" viewBox="0 0 10 10"><p><b>x</b></p><desc>a</desc><circle r="1"/></svg>'.encode()
    result = process_image(data)
    root = parse(result.data)
    assert [child.tag.split("}")[1] for child in root] == ["desc", "circle"]
