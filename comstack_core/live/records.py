"""What a session's transcript keeps of each turn, the same for the browser and the phone, so managers
can list the questions nobody answered. Storing is the integration's (``TranscriptStore``)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass
from typing import Any, Literal, Protocol

from .calls import CallTurn
from .tools import ToolResult

TurnKind = Literal["greeting", "question", "tool", "transfer", "goodbye", "silence"]


@dataclass(frozen=True)
class TurnRecord:
    kind: TurnKind
    said: str  # what the line or the tool said back (speakable text)
    language: str
    heard: str | None = None  # what the caller said (a phone SpeechResult, or a search_knowledge query)
    tool: str | None = None
    arguments: dict[str, Any] | None = None
    answered: bool | None = None  # questions: whether the knowledge answered
    source_path: str | None = None  # the page an answer came from

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class TranscriptStore(Protocol):
    async def append(self, session_id: str, record: TurnRecord) -> None: ...


def tool_record(result: ToolResult, language: str) -> TurnRecord:
    """A voice tool call (browser or realtime provider) as a transcript turn."""
    source = result.result.get("source") or {}
    return TurnRecord(
        kind="transfer" if result.name == "transfer_call" else "tool",
        said=str(result.result.get("speech", "")),
        language=str(result.result.get("language") or language),
        heard=result.arguments.get("query") if result.name == "search_knowledge" else None,
        tool=result.name,
        arguments=dict(result.arguments),
        answered=result.answered,
        source_path=source.get("path"),
    )


def call_record(turn: CallTurn, language: str) -> TurnRecord | None:
    """A phone turn as a transcript turn (None for a hand-off to a realtime provider, which records its
    own tool calls)."""
    step = turn.step
    if step is None:
        if "<Stream" in turn.twiml:
            return None
        return TurnRecord("greeting", _said(turn.twiml), language)
    kinds: dict[str, TurnKind] = {
        "answer": "question",
        "no_answer": "question",
        "reprompt": "silence",
        "goodbye": "silence" if turn.speech is None else "goodbye",
        "transfer": "transfer",
        "no_transfer": "transfer",
    }
    answer = step.answer
    return TurnRecord(
        kind=kinds[step.kind],
        said=step.say,
        language=step.language,
        heard=turn.speech,
        answered=answer.found if answer is not None else None,
        source_path=answer.source.path if answer is not None and answer.source else None,
    )


def _said(twiml: str) -> str:
    return " ".join(node.text or "" for node in ET.fromstring(twiml).iter("Say"))
