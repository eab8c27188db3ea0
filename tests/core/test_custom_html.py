from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from comstack_core.errors import InvalidInput
from comstack_core.rules.custom_html import (
    HUGE_INLINE_SVG_BYTES,
    MAX_NESTING_DEPTH,
    LintFinding,
    check_blocked_links,
    estimated_nesting_depth,
    extract_astro_markers,
    extract_html_markers,
    extract_markers,
    fill_html_markers,
    find_blocked_links,
    lint_html,
)

# --------------------------------------------------------------------------------------------------
# Blocked link schemes
# --------------------------------------------------------------------------------------------------


def _one(html: str) -> str:
    problems = find_blocked_links(html)
    assert len(problems) == 1, problems
    return problems[0]


@pytest.mark.parametrize(
    "html",
    [
        '<a href="javascript:alert(1)">x</a>',
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<a HREF="JAVASCRIPT:alert(1)">x</a>',
        '<a href="&#106;avascript:alert(1)">x</a>',
        '<a href="&#x6A;avascript:alert(1)">x</a>',
        '<a href="&#X6a;&#x61;vascript:alert(1)">x</a>',
        '<a href="java&#x09;script:alert(1)">x</a>',
        '<a href="java&#10;script:alert(1)">x</a>',
        '<a href="java&#13;script:alert(1)">x</a>',
        '<a href="   javascript:alert(1)">x</a>',
        '<a href="\n\tjavascript:alert(1)">x</a>',
        '<a href="&#1;&#31; javascript:alert(1)">x</a>',
        '<a href="javascript&colon;alert(1)">x</a>',
        "<a href=javascript:alert(1)>x</a>",
        "<a href='javascript:alert(1)'>x</a>",
    ],
)
def test_javascript_scheme_is_found_however_it_is_disguised(html: str) -> None:
    problem = _one(html)
    assert problem.startswith("<a href> uses the blocked scheme 'javascript:'")
    assert "<a> #1" in problem


def test_the_problem_shows_the_decoded_value_with_hidden_characters_visible() -> None:
    problem = _one('<a href="java&#x09;script:alert(1)">x</a>')
    assert r"'java\tscript:alert(1)'" in problem


def test_data_scheme_in_img_src() -> None:
    problem = _one('<p>Logo</p><img alt="" src="data:image/png;base64,iVBORw0KGgo=">')
    assert problem.startswith("<img src> uses the blocked scheme 'data:'")


def test_srcset_candidate_with_data_url_is_found_despite_its_comma() -> None:
    problem = _one('<img alt="" srcset="/small.png 1x, data:image/png;base64,AAAA,BBBB 2x, /big.png 3x">')
    assert problem.startswith("<img srcset> uses the blocked scheme 'data:'")
    assert "candidate 2" in problem
    assert "'data:image/png;base64,AAAA,BBBB'" in problem


def test_srcset_first_candidate_and_width_descriptors() -> None:
    problem = _one('<picture><source srcset=" DATA:image/webp;base64,AA 480w, /a.webp 800w"></picture>')
    assert problem.startswith("<source srcset> uses the blocked scheme 'data:'")
    assert "candidate 1" in problem


def test_safe_srcset_passes() -> None:
    assert find_blocked_links('<img alt="" srcset="/a.png 1x,/b.png 2x, https://cdn.example/c.png 3x">') == []


def test_vbscript_in_form_action_and_javascript_in_formaction() -> None:
    problems = find_blocked_links(
        '<form action="vbscript:msgbox(1)"><button formaction="javascript:go()">Send</button></form>'
    )
    assert problems[0].startswith("<form action> uses the blocked scheme 'vbscript:'")
    assert problems[1].startswith("<button formaction> uses the blocked scheme 'javascript:'")


def test_svg_xlink_href_is_checked_whatever_its_case() -> None:
    problem = _one('<svg><a XLink:Href="javascript:alert(1)"><text>Click</text></a></svg>')
    assert problem.startswith("<a xlink:href> inside <svg> uses the blocked scheme 'javascript:'")


def test_svg_plain_href_and_image() -> None:
    problems = find_blocked_links('<svg><a href="javascript:1"></a><image href="data:image/png,x"/></svg>')
    assert [p.split(" uses")[0] for p in problems] == ["<a href> inside <svg>", "<image href> inside <svg>"]


def test_svg_animation_that_rewrites_href_is_found() -> None:
    problem = _one('<svg><a><set attributeName="href" to="javascript:alert(1)"/><text>x</text></a></svg>')
    assert problem.startswith("<set to> inside <svg> uses the blocked scheme 'javascript:'")
    problem = _one('<svg><a><animate attributeName="xlink:href" values="/ok;javascript:alert(1)"/></a></svg>')
    assert problem.startswith("<animate values> inside <svg>")


@pytest.mark.parametrize(
    "html",
    [
        '<iframe src="javascript:alert(1)"></iframe>',
        '<object data="data:text/html,hi"></object>',
        '<video poster="data:image/png,x"></video>',
        '<table background="javascript:x"></table>',
        '<blockquote cite="javascript:x">q</blockquote>',
        '<embed src="vbscript:x">',
        '<link rel="stylesheet" href="data:text/css,body{}">',
        '<link rel="preload" as="image" imagesrcset="data:image/png,x 1x">',
        '<input type="image" alt="go" src="javascript:x">',
        '<base href="javascript:/">',
    ],
)
def test_every_url_attribute_is_checked(html: str) -> None:
    assert len(find_blocked_links(html)) == 1


def test_links_inside_template_and_iframe_srcdoc_are_checked() -> None:
    problem = _one('<template><a href="javascript:1">x</a></template>')
    assert problem.startswith("<a href> inside <template>")
    problem = _one('<iframe srcdoc="<a href=&quot;javascript:alert(1)&quot;>x</a>"></iframe>')
    assert problem.startswith("inside <iframe srcdoc> (<iframe> #1): <a href> uses the blocked scheme")


@pytest.mark.parametrize(
    "html",
    [
        '<a href="https://example.com/x?next=javascript:1">x</a>',
        '<a href="http://example.com">x</a>',
        '<a href="/guides/intro">x</a>',
        '<a href="guides/intro">x</a>',
        '<a href="../up">x</a>',
        '<a href="mailto:team@example.com">x</a>',
        '<a href="tel:+4512345678">x</a>',
        '<a href="#pricing">x</a>',
        '<a href="?page=2">x</a>',
        '<a href="javascript-guide.html">x</a>',
        '<a href="/data:thing">x</a>',
        '<a href="./javascript:x">x</a>',
        '<a href="">x</a><a href>y</a>',
        '<img alt="" src="/logo.png">',
        '<form action="/subscribe"><button formaction="https://example.com/go">Go</button></form>',
        '<svg><use href="#icon"/><a xlink:href="/about"><text>About</text></a></svg>',
        "<p>Type javascript: into the console, or use a data: URL.</p>",
        '<a title="javascript:alert(1)" data-url="javascript:1" href="/x">x</a>',
        "<script>location.href = 'javascript:void 0'</script>",
    ],
)
def test_safe_links_pass(html: str) -> None:
    assert find_blocked_links(html) == []
    check_blocked_links(html)


def test_occurrences_are_each_reported_with_their_element_number() -> None:
    problems = find_blocked_links(
        '<a href="/ok">a</a><a href="javascript:1">b</a><img alt="" src="data:x"><a href="javascript:2">c</a>'
    )
    assert len(problems) == 3
    assert "<a> #2" in problems[0]
    assert "<img> #1" in problems[1]
    assert "<a> #3" in problems[2]


def test_check_blocked_links_raises_with_numbered_problems() -> None:
    with pytest.raises(InvalidInput) as caught:
        check_blocked_links('<a href="javascript:alert(1)">x</a><img alt="" src="data:image/png,x">')
    error = caught.value
    assert error.code == "blocked_link_scheme"
    assert len(error.details["problems"]) == 2
    assert error.message.startswith(
        "The page links to blocked URL schemes (javascript:, data:, vbscript:): 1. "
    )
    assert " 2. <img src> uses the blocked scheme 'data:'" in error.message
    assert error.message.endswith("Use https: links or site paths instead.")
    body = error.to_dict()
    assert body["code"] == "blocked_link_scheme"
    assert body["problems"] == error.details["problems"]


def test_check_blocked_links_passes_clean_page() -> None:
    check_blocked_links('<h1>Hi</h1><a href="/x">x</a>')


# --------------------------------------------------------------------------------------------------
# Nesting guard
# --------------------------------------------------------------------------------------------------


def test_pathologically_deep_markup_is_refused_before_parsing() -> None:
    deep = "<div>" * (MAX_NESTING_DEPTH + 5) + "x"
    for check in (find_blocked_links, lint_html, extract_html_markers):
        with pytest.raises(InvalidInput) as caught:
            check(deep)
        assert caught.value.code == "html_too_deep"


def test_depth_estimate_ignores_closed_void_optional_and_raw_text_elements() -> None:
    assert estimated_nesting_depth("<div><p>a</p><span>b</span></div>") == 2
    assert estimated_nesting_depth("<ul>" + "<li>item" * 5000 + "</ul>") == 1
    assert estimated_nesting_depth("<p>one<p>two<br><img alt=''><hr>") == 0
    assert estimated_nesting_depth("<script>" + "'<div>' + " * 5000 + "1</script><b>x</b>") == 1
    assert estimated_nesting_depth("<!--" + "<div>" * 5000 + "--><i>x</i>") == 1
    assert estimated_nesting_depth("<svg>" + "<path d='M0'/>" * 5000 + "</svg>") == 1
    # Outside SVG "/>" does not close a <div>, and stray end tags close nothing.
    assert estimated_nesting_depth("<div/>" * 3) == 3
    assert estimated_nesting_depth("<div></span>" * 3) == 3


def test_ordinary_long_pages_are_not_refused() -> None:
    page = "<h1>Long</h1>" + "<section><p>Para <b>bold</b> <a href='/x'>link</a></p></section>" * 5000
    assert find_blocked_links(page) == []
    lint_html(page)


# --------------------------------------------------------------------------------------------------
# Lint
# --------------------------------------------------------------------------------------------------


def _rules(html: str) -> list[str]:
    return [finding.rule for finding in lint_html(html)]


def test_clean_page_has_no_findings() -> None:
    html = """<!doctype html><html><head><script src="/app.js" defer></script></head>
    <body><h1>Pricing</h1><img src="/a.png" alt="Chart"><img src="/line.png" alt="">
    <svg viewBox="0 0 10 10"><circle r="4"/></svg><script src="/late.js"></script></body></html>"""
    assert lint_html(html) == []


def test_missing_h1() -> None:
    findings = lint_html("<h2>Sub</h2><p>Text</p>")
    assert [f.rule for f in findings] == ["missing-h1"]
    assert "<h1>" in findings[0].message
    assert "missing-h1" not in _rules("<header><h1>Title</h1></header>")


def test_img_missing_alt_is_numbered_and_names_the_source() -> None:
    findings = lint_html('<h1>T</h1><img src="/ok.png" alt="Ok"><img src="/a.png"><img alt src="/c.png">')
    assert findings == [
        LintFinding(
            "img-missing-alt",
            'Image 2 (src=/a.png) has no alt text; add alt="..." describing it, '
            'or alt="" if it is purely decorative.',
        )
    ]


def test_empty_alt_is_decorative_and_fine() -> None:
    assert _rules('<h1>T</h1><img src="/line.png" alt="">') == []
    assert _rules('<h1>T</h1><img src="/line.png" alt>') == []


def test_render_blocking_script_in_head() -> None:
    findings = lint_html('<html><head><script src="/a.js"></script></head><body><h1>T</h1></body></html>')
    assert [f.rule for f in findings] == ["render-blocking-script"]
    assert findings[0].message.startswith("Script 1 (src=/a.js) in <head> blocks rendering")
    assert "defer" in findings[0].message


def test_script_before_fragment_content_counts_as_head() -> None:
    # A fragment's leading <script> is placed in <head> by the parser, exactly as a browser does.
    assert _rules('<script src="/a.js"></script><h1>T</h1>') == ["render-blocking-script"]


def test_render_blocking_script_at_top_of_body() -> None:
    findings = lint_html('<body><div><script src="/a.js"></script><h1>T</h1></div></body>')
    assert [f.rule for f in findings] == ["render-blocking-script"]
    assert "at the top of <body>, before any content" in findings[0].message


@pytest.mark.parametrize(
    "script",
    [
        '<script src="/a.js" defer></script>',
        '<script src="/a.js" async></script>',
        '<script src="/a.js" type="module"></script>',
        '<script src="/a.js" type="Module"></script>',
        '<script src="/data.json" type="application/json"></script>',
        "<script>console.log('inline')</script>",
    ],
)
def test_non_blocking_scripts_in_head(script: str) -> None:
    assert _rules(f"<html><head>{script}</head><body><h1>T</h1></body></html>") == []


def test_blocking_types_are_still_blocking() -> None:
    html = '<html><head><script src="/a.js" type="text/javascript"></script></head><body><h1>T</h1></body>'
    assert _rules(html) == ["render-blocking-script"]


def test_script_after_content_is_fine() -> None:
    assert _rules('<h1>T</h1><p>Body</p><script src="/a.js"></script>') == []
    assert (
        _rules('<body><img src="/hero.png" alt="Hero"><script src="/a.js"></script><h1>T</h1></body>') == []
    )


def test_script_numbers_count_every_external_script() -> None:
    html = (
        '<html><head><script src="/ok.js" defer></script><script src="/slow.js"></script></head>'
        "<body><h1>T</h1></body></html>"
    )
    (finding,) = lint_html(html)
    assert finding.message.startswith("Script 2 (src=/slow.js) in <head>")


def _svg_of_size(size: int) -> str:
    # Written the way the parser serializes it, so the measured size is exactly ``size``.
    shell = '<svg viewBox="0 0 1 1"><path d=""></path></svg>'
    return shell.replace('d=""', 'd="' + "M" * (size - len(shell)) + '"')


def test_huge_inline_svg() -> None:
    big = _svg_of_size(HUGE_INLINE_SVG_BYTES + 1)
    findings = lint_html(f"<h1>T</h1>{_svg_of_size(100)}{big}")
    assert [f.rule for f in findings] == ["huge-inline-image"]
    assert findings[0].message.startswith("Inline <svg> 2 is 50.0 KB (over 50 KB)")
    assert "<img" in findings[0].message


def test_svg_at_the_limit_is_fine_and_nested_svg_reported_once() -> None:
    assert _rules(f"<h1>T</h1>{_svg_of_size(HUGE_INLINE_SVG_BYTES)}") == []
    nested = "<svg>" + _svg_of_size(HUGE_INLINE_SVG_BYTES + 10) + "</svg>"
    assert _rules(f"<h1>T</h1>{nested}") == ["huge-inline-image"]


def test_all_rules_together_and_to_dict() -> None:
    html = '<script src="/a.js"></script><img src="/x.png">' + _svg_of_size(60_000)
    findings = lint_html(html)
    assert [f.rule for f in findings] == [
        "missing-h1",
        "img-missing-alt",
        "render-blocking-script",
        "huge-inline-image",
    ]
    assert findings[1].to_dict() == {"rule": "img-missing-alt", "message": findings[1].message}


# --------------------------------------------------------------------------------------------------
# HTML translation markers
# --------------------------------------------------------------------------------------------------


def _marker_errors(extract: Callable[[str], dict[str, str]], source: str) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        extract(source)
    assert caught.value.code == "invalid_translation_markers"
    return list(caught.value.details["errors"])


def test_html_markers_extracted_in_document_order() -> None:
    html = """
    <h1 data-t-key="hero.title">  Welcome to <b>Acme</b>  </h1>
    <p data-t-key="hero.lead">Fast &amp; friendly</p>
    <button data-t-key="cta">Start</button><button data-t-key="cta">Start</button>
    <p>Not marked</p>
    """
    markers = extract_html_markers(html)
    assert markers == {"hero.title": "Welcome to Acme", "hero.lead": "Fast & friendly", "cta": "Start"}
    assert list(markers) == ["hero.title", "hero.lead", "cta"]


def test_html_without_markers() -> None:
    assert extract_html_markers("<h1>Hi</h1>") == {}
    assert extract_html_markers("") == {}


@pytest.mark.parametrize("key", ["Hero", "hero title", "-lead", "_x", "é", "a" * 101, "a/b", ""])
def test_bad_html_keys(key: str) -> None:
    (error,) = _marker_errors(extract_html_markers, f'<p data-t-key="{key}">Text</p>')
    assert error.startswith("Marker 1 (<p data-t-key=")
    assert "key" in error
    assert "a-z, 0-9" in error


def test_longest_valid_key() -> None:
    key = "a" + "b.-_9" * 19 + "c" * 4
    assert len(key) == 100
    assert extract_html_markers(f'<p data-t-key="{key}">x</p>') == {key: "x"}


def test_key_with_trailing_newline_is_invalid() -> None:
    # A regex with $ would let "hero\n" through; keys are matched in full.
    assert _marker_errors(extract_html_markers, '<p data-t-key="hero&#10;">x</p>')


def test_missing_default_html() -> None:
    (error,) = _marker_errors(extract_html_markers, '<h2 data-t-key="empty">   </h2>')
    assert "missing default" in error
    assert 'Marker 1 (<h2 data-t-key="empty">)' in error


def test_nested_html_markers() -> None:
    (error,) = _marker_errors(
        extract_html_markers, '<div data-t-key="outer">A <span data-t-key="inner">B</span></div>'
    )
    assert "nested" in error
    assert "'outer'" in error
    assert error.startswith('Marker 2 (<span data-t-key="inner">)')


def test_duplicate_key_with_different_text() -> None:
    (error,) = _marker_errors(extract_html_markers, '<p data-t-key="k">One</p><p data-t-key="k">Two</p>')
    assert "'k'" in error
    assert "'Two' here but 'One' in marker 1" in error


def test_several_html_errors_numbered_in_one_message() -> None:
    html = (
        '<h1 data-t-key="Bad Key">Title</h1>'
        '<p data-t-key="empty"></p>'
        '<div data-t-key="outer"><span data-t-key="inner">x</span></div>'
        '<p data-t-key="dup">A</p><p data-t-key="dup">B</p>'
    )
    with pytest.raises(InvalidInput) as caught:
        extract_html_markers(html)
    error = caught.value
    errors = error.details["errors"]
    assert len(errors) == 4
    assert error.message.startswith("Translation markers are invalid: 1. ")
    numbers = [int(n) for n in re.findall(r"(?:^|\s)(\d)\. (?:Marker)", error.message)]
    assert numbers == [1, 2, 3, 4]
    for number, text in enumerate(errors, start=1):
        assert f"{number}. {text}" in error.message


def test_extract_markers_dispatches_on_format() -> None:
    assert extract_markers('<p data-t-key="a">A</p>', "html") == {"a": "A"}
    assert extract_markers('<T key="a" default="A" />', "astro") == {"a": "A"}
    with pytest.raises(InvalidInput) as caught:
        extract_markers("x", "markdown")
    assert caught.value.code == "invalid_body_format"


# --------------------------------------------------------------------------------------------------
# Astro translation markers
# --------------------------------------------------------------------------------------------------

ASTRO_PAGE = """---
import T from "../components/T.astro";
const tricky = "<T key='frontmatter' default='not markup' />";
if (a<b) { console.log(tricky); }
---
<Layout title="Pricing">
  <h1><T key="pricing.title" default="Plans &amp; pricing" /></h1>
  <p><T key="pricing.lead" default="Pick a plan">Pick a plan</T></p>
  <T key="pricing.lead" default="Pick a plan"/>
  <t key="lowercase" default="plain element, not the component"></t>
  <!-- <T key="commented" default="ignored" /> -->
  <script>const s = '<T key="in-script" default="x" />';</script>
</Layout>
"""


def test_astro_self_closing_and_paired_forms() -> None:
    assert extract_astro_markers(ASTRO_PAGE) == {
        "pricing.title": "Plans & pricing",
        "pricing.lead": "Pick a plan",
    }


def test_astro_without_frontmatter_or_markers() -> None:
    assert extract_astro_markers("<Layout><h1>Hi</h1></Layout>") == {}
    assert extract_astro_markers('<T key="a" default="A"/><T key="b" default="B">B</T>') == {
        "a": "A",
        "b": "B",
    }


def test_astro_frontmatter_with_windows_newlines() -> None:
    source = '---\r\nconst x = "<T key=\'z\' default=\'q\'/>";\r\n---\r\n<T key="a" default="A" />'
    assert extract_astro_markers(source) == {"a": "A"}


def test_astro_nesting_error() -> None:
    source = '<T key="outer" default="Outer">\n  <T key="inner" default="Inner" />\n</T>'
    (error,) = _marker_errors(extract_astro_markers, source)
    assert error.startswith('Line 2: <T key="inner">')
    assert "nested inside the marker 'outer' opened on line 1" in error


def test_astro_missing_and_bad_keys_and_defaults() -> None:
    source = "\n".join(
        [
            '<T key="Bad Key" default="x" />',
            '<T key="no-default" />',
            '<T key="empty-default" default="  " />',
            '<T default="no key" />',
            '<T key="expr" default={title} />',
        ]
    )
    errors = _marker_errors(extract_astro_markers, source)
    assert len(errors) == 5
    assert errors[0].startswith('Line 1: <T key="Bad Key">: the key')
    assert errors[1].startswith('Line 2: <T key="no-default"> has no default text (missing default)')
    assert errors[2].startswith('Line 3: <T key="empty-default"> has no default text (missing default)')
    assert errors[3].startswith('Line 4: <T key=""> has no key')
    assert errors[4].startswith('Line 5: <T key="expr">: default is an {expression}')


def test_astro_duplicate_keys() -> None:
    assert extract_astro_markers('<T key="k" default="Same" /><T key="k" default="Same" />') == {"k": "Same"}
    (error,) = _marker_errors(extract_astro_markers, '<T key="k" default="A" />\n<T key="k" default="B" />')
    assert "'B' here but 'A' in the <T> on line 1" in error


def test_astro_unbalanced_tags() -> None:
    (error,) = _marker_errors(extract_astro_markers, '<T key="open" default="Open">\n<p>text</p>')
    assert "never closed" in error
    (error,) = _marker_errors(extract_astro_markers, "<p>x</p>\n</T>")
    assert error.startswith("Line 2: </T> closes no open <T>")


def test_astro_several_errors_numbered() -> None:
    source = '<T key="A" default="" />'
    with pytest.raises(InvalidInput) as caught:
        extract_astro_markers(source)
    message = caught.value.message
    assert message.startswith("Translation markers are invalid: 1. Line 1:")
    assert " 2. Line 1:" in message


# --------------------------------------------------------------------------------------------------
# Filling markers
# --------------------------------------------------------------------------------------------------


def test_fill_replaces_marked_text_and_keeps_the_rest() -> None:
    html = '<h1 data-t-key="title">Hello <b>world</b></h1>\n<p data-t-key="lead">Keep me</p><p>Plain</p>'
    filled = fill_html_markers(html, {"title": "Bonjour le monde"})
    assert filled == (
        '<h1 data-t-key="title">Bonjour le monde</h1>\n<p data-t-key="lead">Keep me</p><p>Plain</p>'
    )


def test_fill_escapes_the_translation() -> None:
    filled = fill_html_markers('<p data-t-key="x">A</p>', {"x": '<script>alert("x")</script> & co'})
    assert filled == '<p data-t-key="x">&lt;script&gt;alert("x")&lt;/script&gt; &amp; co</p>'
    assert extract_html_markers(filled) == {"x": '<script>alert("x")</script> & co'}


def test_fill_keeps_a_fragment_a_fragment() -> None:
    html = '<style>h1{color:red}</style><!-- note --><h1 data-t-key="t">Hi</h1><script src="/a.js"></script>'
    assert fill_html_markers(html, {"t": "Hej"}) == html.replace(">Hi<", ">Hej<")


def test_fill_a_whole_document() -> None:
    html = (
        '<!DOCTYPE html><html><head><title data-t-key="meta.title">Shop</title></head>'
        '<body><p data-t-key="p">Buy</p></body></html>'
    )
    filled = fill_html_markers(html, {"meta.title": "Butik", "p": "Køb"})
    assert filled == (
        '<!DOCTYPE html><html><head><title data-t-key="meta.title">Butik</title></head>'
        '<body><p data-t-key="p">Køb</p></body></html>'
    )


def test_fill_skips_nested_and_void_markers() -> None:
    html = '<div data-t-key="outer">A <span data-t-key="inner">B</span></div><img data-t-key="i" alt="">'
    filled = fill_html_markers(html, {"inner": "X", "i": "Y"})
    assert filled == html


def test_fill_with_nothing_to_do() -> None:
    assert fill_html_markers("", {"a": "b"}) == ""
    assert fill_html_markers("<p>x</p>", {}) == "<p>x</p>"
