"""The answer finder's rules on real published pages (SQLite FTS5 and PostgreSQL): only live public pages
of the project reach a caller, in the asked language with a fallback to the default locale, spoken as
plain text, with the page they came from; "no answer" instead of a guess."""

from __future__ import annotations

import re

from comstack_core.live.knowledge import answer_languages, spoken_language
from comstack_core.schemas import (
    PageCreate,
    PageRef,
    PageStatusUpdate,
    PageUpdate,
    SettingsUpdate,
    VisibilityUpdate,
)

from ...conftest import World
from .conftest import knowledge_of, project_row, publish, publish_world, ready_page

MARKUP = re.compile(r"[#*`|]|\]\(|\[|<[a-z/]")


async def test_only_live_public_pages_of_the_project_answer(world: World) -> None:
    core = world.core
    await ready_page(world, "billing/invoices", "Invoices", "Invoices are sent on the first day of each month.")
    internal = await ready_page(
        world, "staff/discounts", "Staff discounts", "The secret discount code for staff is ZEBRA."
    )
    hours = await ready_page(world, "support/hours", "Support hours", "Support hours are nine to five on weekdays.")
    gone = await ready_page(world, "legacy/fax", "Fax support", "We answer faxes within a week.")
    await core.pages.set_visibility(world.editor, world.project_id, PageRef(path=internal), VisibilityUpdate(audience="internal"))
    await publish_world(world)
    # After the publish: a draft never approved, a pending edit of a live page, a page taken down.
    await core.editing.create_page(
        world.editor, world.project_id, PageCreate(slug="billing/refunds", title="Refunds", content="Refunds take ten days.")
    )
    page = await core.pages.get_page(world.editor, world.project_id, PageRef(path=hours))
    await core.editing.update_page(
        world.editor, world.project_id, PageRef(path=hours),
        PageUpdate(base_version=page.version, content="Support hours are around the clock, every day."),
    )
    await core.pages.set_page_status(
        world.manager, world.project_id, PageRef(path=gone), PageStatusUpdate(status="unpublished", project_name=world.project_name)
    )
    # Another project says what this one does not.
    other = await project_row(core, world.other_project_id)
    await core.editing.create_page(
        world.outsider, other.id, PageCreate(slug="shipping", title="Shipping", content="Parcels ship worldwide by courier.")
    )
    await core.pages.set_page_status(
        world.outsider, other.id, PageRef(slug="shipping"), PageStatusUpdate(status="ready", project_name=other.name)
    )
    await publish(core, world.outsider, other.id, other.name)

    knowledge = await knowledge_of(core, world.project_id)
    answer = await knowledge.answer("When are invoices sent?")
    assert answer.found and answer.source is not None
    assert answer.source.slug == "billing/invoices" and answer.text == "Invoices are sent on the first day of each month."
    assert answer.source.url == "http://testserver/sites/acme-docs/billing/invoices/"
    assert answer.language == "en" and answer.question == "When are invoices sent?"

    hours_answer = await knowledge.answer("What are the support hours?")
    assert hours_answer.found and "nine to five" in hours_answer.text  # the live text, not the pending draft
    assert "clock" not in hours_answer.text

    for question in (
        "What is the secret staff discount code?",  # internal
        "How long do refunds take?",  # draft only
        "Do you answer faxes?",  # taken down
        "Do parcels ship worldwide by courier?",  # another project's page
    ):
        refused = await knowledge.answer(question)
        assert not refused.found and refused.text == "" and refused.source is None, question
    assert await knowledge.page("staff/discounts") is None
    assert await knowledge.page("billing/refunds") is None
    assert await knowledge.page("legacy/fax") is None
    assert await knowledge.page("shipping") is None


async def test_the_asked_language_then_the_default_locale(world: World) -> None:
    core = world.core
    await core.project_settings.update_settings(
        world.manager, world.project_id, SettingsUpdate(knowledge_locales=["en", "es"], custom_page_locales=["en", "es"])
    )
    await ready_page(world, "orders/shipping", "Shipping", "Orders ship within two business days.")
    await ready_page(
        world, "orders/shipping", "Envíos", "Los pedidos se envían en dos días hábiles.", language="es"
    )
    await ready_page(world, "reference/webhooks", "Webhooks", "Webhooks retry failed deliveries three times.")
    await publish_world(world)
    project = await project_row(core, world.project_id)
    knowledge = await knowledge_of(core, world.project_id)

    spanish = await knowledge.answer("¿En cuántos días se envían los pedidos?", "es")
    assert spanish.found and spanish.language == "es" and spanish.source is not None
    assert spanish.text == "Los pedidos se envían en dos días hábiles."
    assert spanish.source.url == "http://testserver/sites/acme-docs/es/orders/shipping/"
    # A regional variant of a project language is that language; accents may be missing in a transcript.
    regional = await knowledge.answer("cuantos dias tardan los envios de pedidos", "es-MX")
    assert regional.found and regional.language == "es"
    # Only in English: the fallback answers, and says which language its text is in.
    fallback = await knowledge.answer("¿Qué son los webhooks?", "es")
    assert fallback.found and fallback.language == "en" and fallback.source is not None
    assert fallback.source.slug == "reference/webhooks"
    # Nothing in either language: no answer, in the asked language.
    nothing = await knowledge.answer("¿Aceptan tarjetas de crédito?", "es")
    assert not nothing.found and nothing.language == "es"
    # A language the project does not have is answered in the default locale.
    assert answer_languages(project, "fr") == ["en"]
    assert answer_languages(project, "es-MX") == ["es", "en"]
    assert answer_languages(project, None) == ["en"]
    assert spoken_language(project, "de") == "en" and spoken_language(project, "es") == "es"
    english = await knowledge.answer("How fast do orders ship?", "fr")
    assert english.found and english.language == "en" and english.text == "Orders ship within two business days."

    page = await knowledge.page("orders/shipping", "es")
    assert page is not None and page.language == "es" and page.title == "Envíos."
    assert page.text == "Los pedidos se envían en dos días hábiles."
    fallback_page = await knowledge.page("reference/webhooks", "es")
    assert fallback_page is not None and fallback_page.language == "en"
    by_path = await knowledge.page(fallback_page.source.path)
    assert by_path is not None and by_path.source == fallback_page.source


MARKDOWN = """# Roles

Each **member** has a [role](/reference/roles) that decides what they can do.

```sh
comstack admin create-key --role viewer
```

| Role | Can |
|---|---|
| viewer | read pages |
| manager | publish the site |

![diagram](https://example.com/diagram.png)

- Keys start with `cs_` and are shown once.
"""


async def test_answers_are_plain_speakable_text(world: World) -> None:
    await ready_page(world, "reference/roles", "Roles", MARKDOWN, description="")
    await publish_world(world)
    knowledge = await knowledge_of(world.core, world.project_id)

    member = await knowledge.answer("What decides what a member can do?")
    assert member.text == "Each member has a role that decides what they can do."
    manager = await knowledge.answer("What can a manager do?")
    assert manager.text == "Role: manager; Can: publish the site."
    keys = await knowledge.answer("How do keys start?")
    assert keys.text == "Keys start with cs_ and are shown once."
    page = await knowledge.page("reference/roles")
    assert page is not None
    for text in (member.text, manager.text, keys.text, page.text):
        assert not MARKUP.search(text), text
    assert "create-key" not in page.text  # code blocks are not read aloud
    assert "diagram" not in page.text
    assert page.text.startswith("Each member has a role")


async def test_an_answer_is_one_to_three_sentences(world: World) -> None:
    steps = "## Setup steps\n\n1. Install the app.\n2. Sign in.\n3. Pick a plan.\n4. Invite your team.\n5. Publish.\n"
    long_text = " ".join(f"Sentence number {i} talks about widgets and more." for i in range(1, 20))
    await ready_page(world, "guides/setup", "Setup", steps, description="")
    await ready_page(world, "guides/widgets", "Widgets", long_text, description="")
    await publish_world(world)
    knowledge = await knowledge_of(world.core, world.project_id)

    setup = await knowledge.answer("What are the setup steps?")
    assert setup.found and setup.text == "Install the app. Sign in. Pick a plan."
    widgets = await knowledge.answer("What about widgets?")
    assert widgets.found and 1 <= len(re.findall(r"[.!?](?:\s|$)", widgets.text)) <= 3


async def test_questions_without_words_or_matches_get_no_answer(world: World) -> None:
    await ready_page(world, "guides/intro", "Introduction", "Welcome to the handbook.")
    await publish_world(world)
    knowledge = await knowledge_of(world.core, world.project_id)
    for question in ("", "   ", "what is the", "?!", "zzzz qqqq"):
        answer = await knowledge.answer(question)
        assert not answer.found and answer.text == "" and answer.coverage == 0.0, question
    assert await knowledge.page("") is None
    assert await knowledge.page("guides/nothing-here") is None


async def test_query_syntax_in_a_question_is_only_words(world: World) -> None:
    await ready_page(world, "guides/near", "Near and far", 'Shipping "NEAR" the border is free: prices & taxes apply.')
    await publish_world(world)
    knowledge = await knowledge_of(world.core, world.project_id)
    for question in (
        'What is "NEAR" the border?',
        "border AND NOT shipping OR (free*) ^title: {content}",
        "border & !shipping | free <-> taxes:*",
        "border'; DROP TABLE pages; --",
        "bórder ünïcode ① ² ½ _ __init__",
    ):
        answer = await knowledge.answer(question)
        assert answer.source is None or answer.source.slug == "guides/near", question
    found = await knowledge.answer("Is shipping near the border free?")
    assert found.found and found.text == 'Shipping "NEAR" the border is free: prices & taxes apply.'
