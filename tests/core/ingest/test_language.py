"""The proposed language: declared by the page, else detected from its text; mapped to a project locale."""

from __future__ import annotations

import pytest

from comstack_core.ingest import extract_page
from comstack_core.ingest.language import canonical_tag, detect_language

URL = "https://example.com/a"
SPANISH = (
    "<p>Puedes cambiar la dirección de entrega de cualquier pedido hasta dos horas antes de la franja de reparto. "
    "Pasado ese momento, el pedido ya está preparado y asignado a un repartidor de la zona.</p>"
)
ENGLISH = (
    "<p>You can change the delivery address of any order up to two hours before the delivery window. After "
    "that, the order is packed and assigned to a driver in your area.</p>"
)


def page(body: str, html_attrs: str = "", head: str = "") -> str:
    return f"<!doctype html><html {html_attrs}><head><title>Delivery</title>{head}</head><body><main><h1>Delivery</h1>{body}</main></body></html>"


@pytest.mark.parametrize(
    ("html_attrs", "head", "language", "source"),
    [
        ("lang='es-mx'", "", "es-MX", "html_lang"),
        ("xml:lang='es'", "", "es", "html_lang"),
        ("lang='es_ES'", "<meta http-equiv='Content-Language' content='fr'>", "es-ES", "html_lang"),
        ("", "<meta http-equiv='content-language' content='es-AR, es'>", "es-AR", "content_language"),
        ("", "<meta property='og:locale' content='es_CO'>", "es-CO", "og_locale"),
        ("lang='not a tag!'", "", "es", "detected"),
        ("", "", "es", "detected"),
    ],
)
def test_declared_then_detected(html_attrs: str, head: str, language: str, source: str) -> None:
    draft = extract_page(URL, page(SPANISH, html_attrs, head))
    assert (draft.language, draft.language_source) == (language, source)
    assert draft.metadata.page_language == language


def test_a_declared_language_the_text_contradicts_is_kept_with_a_note() -> None:
    draft = extract_page(URL, page(SPANISH * 2, "lang='en'"))
    assert draft.language == "en"
    assert any("reads as 'es'" in note for note in draft.notes)


def test_too_little_text_and_no_declaration_falls_back_to_the_project_default() -> None:
    short = page("<p>Orders and times.</p>")
    assert extract_page(URL, short).language is None
    draft = extract_page(URL, short, locales=["de", "en"])
    assert (draft.language, draft.language_source) == ("de", "project_default")
    assert any("too short to tell" in note for note in draft.notes)


def test_mapped_to_the_projects_locales() -> None:
    # The project's variant of the page's language is used (two variants of one language cannot coexist).
    assert extract_page(URL, page(ENGLISH, "lang='en-GB'"), locales=["en", "es"]).language == "en"
    assert extract_page(URL, page(SPANISH, "lang='es'"), locales=["en", "es-MX"]).language == "es-MX"
    assert extract_page(URL, page(ENGLISH, "lang='en-US'"), locales=["en-US"]).language == "en-US"
    # A language the project does not have: the default, with a note that says what to do.
    draft = extract_page(URL, page(SPANISH, "lang='es'"), locales=["en", "de"])
    assert (draft.language, draft.metadata.page_language) == ("en", "es")
    assert any("not one of the project's locales (en, de)" in note for note in draft.notes)


def test_detector() -> None:
    assert detect_language("Das Widget läuft auf jedem Rechner mit genug Speicher und einem Netzwerk.") == ("de", pytest.approx(1, abs=0.1))
    assert detect_language("ok") is None
    assert canonical_tag("EN_us") == "en-US" and canonical_tag("zh-Hant-TW") == "zh-Hant-TW"
    assert canonical_tag("en-US-x-private") == "en" and canonical_tag("123") is None and canonical_tag(None) is None
