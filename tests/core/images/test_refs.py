"""Finding the images a page names: the shortcut that skips parsing a text with no image syntax answers
what parsing it answers, on texts written to trip it."""

from __future__ import annotations

import pytest

from comstack_core.images.refs import html_images, markdown_images, page_images, parsed_images

PUBLIC = "https://docs.example.com"
ID = "img_" + "a" * 24

TEXTS = [
    "Plain words, a [link](https://example.com) and `code`.",
    f"![Alt text](image:{ID})",
    f"Inline ![a]({PUBLIC}/media/{ID}.png) in a sentence.",
    "A reference image ![logo][l]\n\n[l]: https://example.com/logo.png",
    "Not an image: `![x](y)` in code, and\n\n```\n![z](w)\n```\n",
    "An escaped \\![x](y) and a character reference &#33;[x](y)",
    '<p>Raw <IMG SRC="https://example.com/a.png" ALT="Upper case"></p>',
    '<div>\n<img src="/media/' + ID + '.webp" alt="">\n</div>',
    "Text with <imgx> and img_ words, and ! [space](between)",
    "",
]


@pytest.mark.parametrize("text", TEXTS)
def test_the_shortcut_answers_what_parsing_answers(text: str) -> None:
    assert markdown_images(text, PUBLIC) == parsed_images(text, PUBLIC)
    assert page_images(text, None, PUBLIC) == parsed_images(text, PUBLIC)


def test_custom_html_without_an_img_tag_names_no_image() -> None:
    for body in ("<h1>No pictures</h1><p>img_ and imagery</p>", '<p><IMG src="x.png" alt="X"></p>'):
        assert [(u.src, u.alt) for u in page_images("", body, PUBLIC)] == html_images(body)


def test_the_texts_hold_images_to_find() -> None:
    found = [len(parsed_images(text, PUBLIC)) for text in TEXTS]
    assert found[1:5] == [1, 1, 1, 0] and found[6:8] == [1, 1]
