"""Page text turned into speech: no Markdown syntax said aloud, code skipped, tables read cell by cell
after their headers, links by their text; sentences split where a voice should pause."""

from __future__ import annotations

import pytest

from comstack_core.live.speakable import (
    Block,
    html_blocks,
    markdown_blocks,
    sentence,
    speakable,
    split_sentences,
)
from comstack_core.live.words import content_words, fold, is_stop, same_term, terms


def test_markdown_becomes_plain_blocks() -> None:
    source = (
        "# Setup\n\nInstall **the app** with _care_ and ~~speed~~, then read [the guide](https://x.example/g).\n\n"
        "## Keys\n\n- Keys start with `cs_`.\n- They are shown once\n\n"
        "```python\nprint('never read aloud')\n```\n\n    indented code too\n\n"
        "> Quoted advice.\n\n![chart of sales](chart.png)\n\n---\n\n<div>Raw <b>HTML</b> text</div>\n"
    )
    assert markdown_blocks(source) == [
        Block("heading", "Setup", "", 1),
        Block("text", "Install the app with care and speed, then read the guide.", "Setup"),
        Block("heading", "Keys", "", 2),
        Block("item", "Keys start with cs_.", "Keys"),
        Block("item", "They are shown once", "Keys"),
        Block("text", "Quoted advice.", "Keys"),
        Block("text", "Raw HTML text", "Keys"),
    ]
    spoken = speakable(source)
    assert spoken == (
        "Setup. Install the app with care and speed, then read the guide. Keys. Keys start with cs_. "
        "They are shown once. Quoted advice. Raw HTML text."
    )
    for mark in ("#", "**", "_care_", "~~", "](", "```", "print", "chart", "<b>", "---", "x.example"):
        assert mark not in spoken


def test_tables_are_read_row_by_row_after_their_headers() -> None:
    source = "| Role | Can |\n|---|---|\n| viewer | read |\n| editor | edit, *approve* |\n| manager | |\n"
    assert [b.text for b in markdown_blocks(source)] == [
        "Role: viewer; Can: read.",
        "Role: editor; Can: edit, approve.",
        "Role: manager.",
    ]
    headerless = "| | |\n|---|---|\n| one | two |\n"
    assert [b.text for b in markdown_blocks(headerless)] == ["one, two."]


def test_custom_page_html() -> None:
    html = (
        "<style>h1{color:red}</style><section><h1>Your knowledge</h1><p>One source for <a href='/x'>web</a> "
        ", <em>assistants</em> and phone.</p><ul><li><p>Fast</p></li><li>Accessible</li></ul>"
        "<table><tr><th>Plan</th><td>Free</td></tr></table><script>alert('no')</script></section>"
    )
    assert html_blocks(html) == [
        Block("heading", "Your knowledge", "", 1),
        Block("text", "One source for web, assistants and phone.", "Your knowledge"),
        Block("item", "Fast", "Your knowledge"),
        Block("item", "Accessible", "Your knowledge"),
        Block("row", "Plan, Free.", "Your knowledge"),
    ]
    assert html_blocks("Just text, <b>no blocks</b>.") == [Block("text", "Just text, no blocks.")]
    assert speakable("<p>a <script>x()</script>b</p>", html=True) == "a b."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two! Three? Four", ["One.", "Two!", "Three?", "Four"]),
        ("Use e.g. the API. Then stop.", ["Use e.g. the API.", "Then stop."]),
        ("Bodies over 1 MB are refused with 413. Retry later.", ["Bodies over 1 MB are refused with 413.", "Retry later."]),
        ("Version 1.2 is out. ¿Qué tal? Bien.", ["Version 1.2 is out.", "¿Qué tal?", "Bien."]),
        ("lower. case stays together", ["lower. case stays together"]),
        ("", []),
    ],
)
def test_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_a_fragment_ends_with_a_pause() -> None:
    assert sentence("Create a project") == "Create a project."
    assert sentence("Done!") == "Done!"
    assert sentence("Steps:") == "Steps:"
    assert sentence("  spaced ,  ") == "spaced."
    assert sentence("") == ""


def test_words_stop_words_and_stems() -> None:
    assert content_words("Can you tell me how I publish my pages, please?", "en") == ["publish", "pages"]
    assert content_words("¿Cómo puedo publicar mis páginas, por favor?", "es") == ["publicar", "páginas"]
    assert content_words("Comment est-ce que je publie mes pages ?", "fr") == ["publie", "pages"]
    assert content_words("Wie kann ich meine Seiten veröffentlichen?", "de") == ["seiten", "veröffentlichen"]
    assert content_words("What's the 413 error?", "en") == ["413", "error"]
    assert terms("publishing published publishes", "en") == frozenset({"publish"})
    assert terms("páginas", "es") == terms("paginas", "es")  # accents dropped after stemming
    assert is_stop("What’s", "en") and is_stop("the", "en") and not is_stop("invoice", "en")
    assert fold("Ñandú Éclair") == "nandu eclair"
    # A language without a stemmer or stop list still gives words.
    assert terms("Kitabu kipya", "sw") == frozenset({"kitabu", "kipya"})


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("publish", "publish", True),
        ("call", "caller", True),
        ("traduc", "traduccion", True),
        ("mani", "manifest", False),  # "many" is not "manifest"
        ("api", "apis", False),  # too short to extend
        ("draft", "drafting", True),
        ("page", "pager", True),
        ("role", "roll", False),
    ],
)
def test_same_term(a: str, b: str, same: bool) -> None:
    assert same_term(a, b) is same
    assert same_term(b, a) is same
