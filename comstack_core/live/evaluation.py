"""Score the answer finder on a question set: each question with the page expected to answer it, or
``null`` when the knowledge has no answer and the finder must say so.

The set is JSON: ``{"language": "en", "questions": [{"q": "...", "expected": "slug" | null}, ...]}``.
Used by the test over the demo project and by ``bench/answers.py``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .knowledge import Answer, Knowledge


@dataclass(frozen=True)
class Case:
    question: str
    expected: str | None  # slug of the page that answers it; None: nothing does
    language: str
    phrasing: str = ""


@dataclass(frozen=True)
class Outcome:
    case: Case
    answered_slug: str | None
    text: str
    coverage: float

    @property
    def correct(self) -> bool:
        return self.answered_slug == self.case.expected


@dataclass(frozen=True)
class Report:
    outcomes: list[Outcome]

    def share(self, answerable: bool | None = None) -> float:
        chosen = [
            o for o in self.outcomes if answerable is None or (o.case.expected is not None) == answerable
        ]
        return sum(o.correct for o in chosen) / len(chosen) if chosen else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": len(self.outcomes),
            "correct": sum(o.correct for o in self.outcomes),
            "share": round(self.share(), 4),
            "share_answerable": round(self.share(True), 4),
            "share_unanswerable": round(self.share(False), 4),
            "questions": [
                {**asdict(o.case), "answered": o.answered_slug, "correct": o.correct, "text": o.text,
                 "coverage": round(o.coverage, 3)}
                for o in self.outcomes
            ],
        }


def load_cases(path: Path) -> list[Case]:
    data = json.loads(path.read_text(encoding="utf-8"))
    language = data.get("language", "en")
    return [
        Case(item["q"], item.get("expected"), item.get("language", language), item.get("phrasing", ""))
        for item in data["questions"]
    ]


async def evaluate(knowledge: Knowledge, cases: list[Case]) -> Report:
    outcomes = []
    for case in cases:
        answer: Answer = await knowledge.answer(case.question, case.language)
        slug = answer.source.slug if answer.found and answer.source else None
        outcomes.append(Outcome(case, slug, answer.text, answer.coverage))
    return Report(outcomes)
