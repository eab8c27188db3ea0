"""The answer finder on its question set over the published demo project (SQLite FTS5 and PostgreSQL):
at least 80 % of the answerable questions answered from the right page, every unanswerable one refused."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from comstack_core.live.evaluation import evaluate, load_cases
from comstack_core.models import Page

from .conftest import Demo

QUESTIONS = Path(__file__).with_name("questions.json")


def test_the_set_is_a_real_test() -> None:
    cases = load_cases(QUESTIONS)
    assert len(cases) >= 30
    assert len({c.question for c in cases}) == len(cases)
    unanswerable = [c for c in cases if c.expected is None]
    assert len(unanswerable) >= 5
    assert len([c for c in cases if c.phrasing == "paraphrase"]) >= 8
    # Every page of the demo is asked about at least once.
    assert len({c.expected for c in cases if c.expected}) == 13


async def test_question_set_over_the_published_demo(demo: Demo) -> None:
    cases = load_cases(QUESTIONS)
    async with demo.core.db.read() as session:
        rows = await session.exec(select(Page).where(Page.project_id == demo.project.id))
        pages = {page.slug for page in rows.all()}
    assert {c.expected for c in cases if c.expected} <= pages, "the set names a page the demo does not have"

    report = await evaluate(demo.knowledge, cases)

    misses = [
        f"{o.case.question!r}: expected {o.case.expected}, got {o.answered_slug}" for o in report.outcomes if not o.correct
    ]
    assert report.share(answerable=True) >= 0.8, misses
    refused = [o for o in report.outcomes if o.case.expected is None]
    assert all(o.answered_slug is None and o.text == "" for o in refused), misses
    for outcome in report.outcomes:
        if outcome.answered_slug:
            assert outcome.text and outcome.coverage > 0
