"""The live-voice answer finder on its question set: which page answered each question, and the share right.

    .venv/bin/python bench/answers.py [--questions tests/core/live/questions.json] [--database-url URL]
                                      [--json FILE] [--verbose]

Seeds the demo project (``comstack serve --demo``'s) into a fresh database — a temporary SQLite file unless
``--database-url`` names an empty PostgreSQL database — publishes it for real so its pages are live, and asks
every question through ``LiveKnowledge.answer``, the function the voice tools and the phone line call.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

from comstack_core import Core, Principal, Settings
from comstack_core.demo import seed_demo
from comstack_core.live.evaluation import Case, Report, evaluate, load_cases
from comstack_core.live.knowledge import LiveKnowledge
from comstack_core.models import Project
from comstack_core.schemas import PublishConfirm, PublishRequest

ROOT = Path(__file__).resolve().parent.parent


async def publish(core: Core, project_id: str, project_name: str) -> None:
    who = Principal.system()
    dry = await core.publishing.publish(who, project_id, PublishRequest(project_name=project_name))
    started = await core.publishing.publish_confirm(
        who, project_id, PublishConfirm(project_name=project_name, confirmation_token=dry.confirmation_token)
    )
    await core.runner.run_pending()
    status = await core.publishing.publish_status(who, project_id, started.publish_id)
    if status.status != "succeeded":
        raise SystemExit(f"publishing the demo failed: {status.status} {status.error}")


async def run(args: argparse.Namespace, cases: list[Case]) -> tuple[Report, float]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=args.database_url, run_publish_jobs=False)
        async with Core.open(settings) as core:
            demo = await seed_demo(core, Path(tmp) / "demo")
            await publish(core, demo.project_id, demo.project_name)
            async with core.db.read() as session:
                project = await session.get_one(Project, demo.project_id)
            knowledge = LiveKnowledge(core.db, project, settings.public_url)
            started = time.perf_counter()
            report = await evaluate(knowledge, cases)
            return report, time.perf_counter() - started


def main(args: argparse.Namespace) -> None:
    cases = load_cases(Path(args.questions))
    report, elapsed = asyncio.run(run(args, cases))
    width = max(len(c.question) for c in cases)
    for outcome in report.outcomes:
        mark = "ok  " if outcome.correct else "MISS"
        expected = outcome.case.expected or "(no answer)"
        got = outcome.answered_slug or "(no answer)"
        print(f"{mark} {outcome.case.question:<{width}}  expected {expected:<24} got {got:<24} "
              f"coverage {outcome.coverage:.2f}")
        if args.verbose and outcome.text:
            print(f"     -> {outcome.text}")
    answerable = [o for o in report.outcomes if o.case.expected]
    print(
        f"\n{sum(o.correct for o in report.outcomes)}/{len(report.outcomes)} right "
        f"({report.share():.0%}); answerable from the right page {sum(o.correct for o in answerable)}/"
        f"{len(answerable)} ({report.share(True):.0%}); unanswerable refused "
        f"{report.share(False):.0%}; {elapsed / len(cases) * 1000:.1f} ms per question"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", default=str(ROOT / "tests/core/live/questions.json"))
    parser.add_argument("--database-url", default=None, help="an empty PostgreSQL database (default: SQLite)")
    parser.add_argument("--json", default=None, help="write the per-question results to this file")
    parser.add_argument("--verbose", action="store_true", help="print each spoken answer")
    main(parser.parse_args())
