"""examples/phone_call.py plays a whole signed call against the real app and prints it."""

from __future__ import annotations

from pathlib import Path

from ..test_examples import run


def test_the_phone_call_example_answers_refuses_and_says_goodbye(tmp_path: Path) -> None:
    out = run(["examples/phone_call.py", str(tmp_path)])
    lines = out.strip().splitlines()
    assert lines[0] == "line:   Hello, this is the Corner Bakery assistant. What would you like to know?"
    assert "line:   The bakery is open from 7 am to 6 pm, Monday to Saturday. Anything else?" in lines
    assert any("15 euros" in line for line in lines)
    assert "line:   Thank you for calling. Goodbye!" in lines
    assert lines[-1] == "transcript: 5 turns, 3 questions, unanswered: ['Do you repair bicycles?']"
