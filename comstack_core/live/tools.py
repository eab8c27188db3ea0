"""The tools a voice model may call: their declarations (name, description, JSON Schema parameters) and
their execution over the knowledge.

Every result is a JSON object with a ``speech`` field: short plain text to say, never Markdown. Arguments
are checked before anything runs; a bad call raises ``InvalidInput`` (code ``unknown_tool`` or
``invalid_tool_arguments``) with a message a model can act on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails

from ..errors import InvalidInput
from ..rules.locales import normalize_locale
from .knowledge import Knowledge
from .messages import say

Channel = Literal["web", "phone"]


class _Arguments(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class SearchKnowledge(_Arguments):
    query: str = Field(
        min_length=1,
        max_length=500,
        description="The caller's question, in their own words and language.",
    )
    language: str | None = Field(
        default=None,
        description="BCP-47 language of the question, e.g. 'en' or 'es-MX'. Default: the session's.",
    )


class GetPage(_Arguments):
    page: str = Field(
        min_length=1,
        max_length=300,
        description="The page's slug (e.g. 'guides/getting-started') or path id, as a previous result gave it.",
    )
    language: str | None = Field(default=None, description="BCP-47 language. Default: the session's.")


class TransferCall(_Arguments):
    reason: str | None = Field(
        default=None, max_length=300, description="Why the caller wants a person, in a few words."
    )


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    arguments: type[_Arguments]

    def declaration(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "parameters": parameters_schema(self.arguments)}


TOOLS: tuple[Tool, ...] = (
    Tool(
        "search_knowledge",
        "Find the answer to the caller's question in this business's published knowledge. Call it for every "
        "question, with the question as the caller asked it. Returns 'speech': one to three sentences to say "
        "as they are, and 'source': the page they come from. When 'found' is false nothing in the knowledge "
        "answers: say so and never make an answer up.",
        SearchKnowledge,
    ),
    Tool(
        "get_page",
        "Read one published page aloud: its title and opening sentences, in 'speech'. Use it when the caller "
        "asks about a page by name or wants more from a page a search_knowledge result cited (pass its "
        "source.slug). For questions, call search_knowledge instead.",
        GetPage,
    ),
    Tool(
        "transfer_call",
        "Hand the caller to a member of the team. Use it only when the caller asks for a person, or after "
        "search_knowledge found nothing and the caller wants more help. Say the returned 'speech'; when "
        "'transferred' is false no transfer is possible and the conversation goes on with you.",
        TransferCall,
    ),
)
BY_NAME = {tool.name: tool for tool in TOOLS}


def parameters_schema(model: type[_Arguments]) -> dict[str, Any]:
    """The model's JSON Schema as providers take it: an object with typed, described properties, the
    required ones listed, nothing else allowed; pydantic's titles and ``anyOf: [T, null]`` are folded."""
    schema = model.model_json_schema()
    properties: dict[str, Any] = {}
    for name, prop in schema["properties"].items():
        prop = {k: v for k, v in prop.items() if k not in ("title", "default")}
        if "anyOf" in prop:  # optional: keep the non-null branch
            branch = next(b for b in prop.pop("anyOf") if b.get("type") != "null")
            prop = {**branch, **prop}
        properties[name] = prop
    return {
        "type": "object",
        "properties": properties,
        "required": schema.get("required", []),
        "additionalProperties": False,
    }


def declarations() -> list[dict[str, Any]]:
    return [tool.declaration() for tool in TOOLS]


@dataclass(frozen=True)
class ToolContext:
    knowledge: Knowledge
    language: str  # the session's language
    channel: Channel
    transfer_to: str | None = None  # a phone number the line may dial (phone channel only)


@dataclass(frozen=True)
class ToolResult:
    name: str
    arguments: dict[str, Any]
    result: dict[str, Any]  # always has "speech"
    answered: bool | None = None  # search_knowledge: whether the knowledge answered (for transcripts)


def _problem(tool: Tool, error: ErrorDetails) -> str:
    where = ".".join(str(p) for p in error["loc"]) or "arguments"
    allowed = ", ".join(tool.arguments.model_fields)
    kind = error["type"]
    if kind == "missing":
        return f"'{where}' is required"
    if kind == "extra_forbidden":
        return f"'{where}' is not an argument of {tool.name} (its arguments: {allowed})"
    if kind in ("string_type", "string_too_short", "string_too_long"):
        return f"'{where}' must be {_string_rule(tool, str(error['loc'][0]))}, got {_shorten(error.get('input'))}"
    return f"'{where}': {error['msg']}"


def _string_rule(tool: Tool, field_name: str) -> str:
    field = tool.arguments.model_fields.get(field_name)
    low = next((m.min_length for m in field.metadata if hasattr(m, "min_length")), None) if field else None
    high = next((m.max_length for m in field.metadata if hasattr(m, "max_length")), None) if field else None
    if low and high:
        return f"a string of {low} to {high} characters"
    if high:
        return f"a string of at most {high} characters"
    return "a string"


def _shorten(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}… ({len(str(value))} characters)"


def validate(name: object, arguments: object) -> tuple[Tool, _Arguments]:
    tool = BY_NAME.get(name) if isinstance(name, str) else None
    if tool is None:
        raise InvalidInput(
            f"Unknown tool {name!r}. The voice tools are: {', '.join(BY_NAME)}.", code="unknown_tool"
        )
    if arguments is None:
        arguments = {}
    if not isinstance(arguments, dict):
        raise InvalidInput(
            f"The arguments of {tool.name} must be a JSON object, not {type(arguments).__name__}.",
            code="invalid_tool_arguments",
        )
    try:
        parsed = tool.arguments.model_validate(arguments)
    except ValidationError as exc:
        problems = "; ".join(_problem(tool, e) for e in exc.errors())
        raise InvalidInput(
            f"Invalid arguments for {tool.name}: {problems}.", code="invalid_tool_arguments"
        ) from None
    return tool, parsed


async def execute(name: object, arguments: object, ctx: ToolContext) -> ToolResult:
    tool, parsed = validate(name, arguments)
    given = parsed.model_dump(exclude_none=True)
    if isinstance(parsed, SearchKnowledge):
        language = _language(parsed.language, ctx)
        answer = await ctx.knowledge.answer(parsed.query, language)
        result: dict[str, Any] = {
            "found": answer.found,
            "speech": answer.text if answer.found else say("no_answer", answer.language),
            "language": answer.language,
            "source": answer.source.to_dict() if answer.source else None,
        }
        return ToolResult(tool.name, given, result, answered=answer.found)
    if isinstance(parsed, GetPage):
        language = _language(parsed.language, ctx)
        page = await ctx.knowledge.page(parsed.page, language)
        if page is None:
            result = {
                "found": False,
                "speech": say("page_not_found", language),
                "hint": f"No published page has the slug or path {parsed.page!r}; "
                "call search_knowledge with the caller's question instead.",
                "source": None,
            }
        else:
            result = {
                "found": True,
                "title": page.title,
                "speech": f"{page.title} {page.text}".strip(),
                "language": page.language,
                "source": page.source.to_dict(),
            }
        return ToolResult(tool.name, given, result)
    # transfer_call
    if ctx.channel == "phone" and ctx.transfer_to:
        return ToolResult(tool.name, given, {"transferred": True, "speech": say("transferring", ctx.language)})
    speech = say("no_transfer_web", ctx.language) if ctx.channel == "web" else say("no_transfer", ctx.language)
    return ToolResult(tool.name, given, {"transferred": False, "speech": speech})


def _language(asked: str | None, ctx: ToolContext) -> str:
    return normalize_locale(asked) if asked else ctx.language
