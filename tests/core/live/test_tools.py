"""The voice tools: declarations as a voice model reads them, execution over the published demo, and
argument errors a model can act on."""

from __future__ import annotations

import re
from typing import Any

import pytest

from comstack_core.errors import InvalidInput
from comstack_core.live.messages import say
from comstack_core.live.records import tool_record
from comstack_core.live.tools import TOOLS, ToolContext, declarations, execute, validate

from .conftest import Demo


@pytest.fixture
def backend() -> str:
    return "sqlite"


def test_declarations() -> None:
    declared = declarations()
    assert [d["name"] for d in declared] == ["search_knowledge", "get_page", "transfer_call"]
    assert declared[0]["parameters"] == {
        "type": "object",
        "properties": {
            "query": {
                "type": "string",
                "minLength": 1,
                "maxLength": 500,
                "description": "The caller's question, in their own words and language.",
            },
            "language": {
                "type": "string",
                "description": "BCP-47 language of the question, e.g. 'en' or 'es-MX'. Default: the session's.",
            },
        },
        "required": ["query"],
        "additionalProperties": False,
    }
    assert declared[1]["parameters"]["required"] == ["page"]
    assert set(declared[1]["parameters"]["properties"]) == {"page", "language"}
    assert declared[2]["parameters"] == {
        "type": "object",
        "properties": {
            "reason": {
                "type": "string",
                "maxLength": 300,
                "description": "Why the caller wants a person, in a few words.",
            }
        },
        "required": [],
        "additionalProperties": False,
    }
    for declaration in declared:
        assert set(declaration) == {"name", "description", "parameters"}
        assert 80 <= len(declaration["description"]) <= 600
        assert "speech" in declaration["description"]  # tells the model what to say
        assert not re.search(r"\btitle\b", str(declaration["parameters"]))  # no pydantic leftovers


def ctx(demo: Demo, channel: str = "web", transfer_to: str | None = None, language: str = "en") -> ToolContext:
    return ToolContext(demo.knowledge, language, channel, transfer_to)  # type: ignore[arg-type]


MARKUP = re.compile(r"[#*`|]|\]\(")


async def test_search_knowledge(demo: Demo) -> None:
    done = await execute("search_knowledge", {"query": "What can a viewer do?"}, ctx(demo))
    assert done.name == "search_knowledge" and done.arguments == {"query": "What can a viewer do?"}
    assert done.answered is True
    result = done.result
    assert result["found"] is True and result["language"] == "en"
    assert result["speech"].startswith("Viewers read")
    assert result["source"]["slug"] == "reference/roles"
    assert result["source"]["url"] == "http://testserver/sites/comstack-demo/reference/roles/"
    assert set(result["source"]) == {"path", "slug", "language", "title", "url"}

    record = tool_record(done, "en")
    assert (record.kind, record.tool, record.heard, record.answered) == (
        "tool", "search_knowledge", "What can a viewer do?", True,
    )
    assert record.source_path == result["source"]["path"] and record.said == result["speech"]
    assert record.to_dict()["arguments"] == {"query": "What can a viewer do?"}

    missing = await execute("search_knowledge", {"query": "Do you ship to Canada?", "language": "es"}, ctx(demo))
    assert tool_record(missing, "es").answered is False and tool_record(missing, "es").source_path is None
    assert missing.answered is False
    assert missing.result == {"found": False, "speech": say("no_answer", "en"), "language": "en", "source": None}
    assert missing.arguments == {"query": "Do you ship to Canada?", "language": "es"}


async def test_get_page(demo: Demo) -> None:
    done = await execute("get_page", {"page": "reference/roles"}, ctx(demo))
    result = done.result
    assert result["found"] is True and result["title"] == "Roles and permissions in a project."
    assert result["speech"] == (
        "Roles and permissions in a project. Viewers read, editors write and approve drafts, managers publish "
        "and administer the project. Role: viewer; Can: read. Role: editor; Can: edit, approve. "
        "Role: manager; Can: publish, admin."
    )
    assert not MARKUP.search(result["speech"])
    by_path = await execute("get_page", {"page": result["source"]["path"]}, ctx(demo))
    assert by_path.result["source"] == result["source"]
    writing = await execute("get_page", {"page": "/guides/writing-pages/"}, ctx(demo))
    assert "print" not in writing.result["speech"] and not MARKUP.search(writing.result["speech"])

    missing = await execute("get_page", {"page": "pricing"}, ctx(demo, language="fr"))
    assert missing.result["found"] is False and missing.result["speech"] == say("page_not_found", "fr")
    assert "search_knowledge" in missing.result["hint"]


async def test_transfer_call(demo: Demo) -> None:
    phone = await execute("transfer_call", {"reason": "billing question"}, ctx(demo, "phone", "+15555550123"))
    assert phone.result == {"transferred": True, "speech": say("transferring", "en")}
    assert phone.arguments == {"reason": "billing question"}
    record = tool_record(phone, "en")
    assert (record.kind, record.said, record.heard, record.answered) == ("transfer", say("transferring", "en"), None, None)
    no_number = await execute("transfer_call", {}, ctx(demo, "phone"))
    assert no_number.result == {"transferred": False, "speech": say("no_transfer", "en")}
    web = await execute("transfer_call", None, ctx(demo, "web", "+15555550123", language="es"))
    assert web.result == {"transferred": False, "speech": say("no_transfer_web", "es")}


@pytest.mark.parametrize(
    ("name", "arguments", "code", "message"),
    [
        ("delete_everything", {}, "unknown_tool", "Unknown tool 'delete_everything'. The voice tools are: "
         "search_knowledge, get_page, transfer_call."),
        (None, {}, "unknown_tool", "Unknown tool None."),
        ("search_knowledge", {}, "invalid_tool_arguments", "Invalid arguments for search_knowledge: 'query' is required."),
        ("search_knowledge", {"query": "hi", "limit": 5}, "invalid_tool_arguments",
         "'limit' is not an argument of search_knowledge (its arguments: query, language)"),
        ("search_knowledge", {"query": 42}, "invalid_tool_arguments", "'query' must be a string of 1 to 500 characters, got 42"),
        ("search_knowledge", {"query": ""}, "invalid_tool_arguments", "'query' must be a string of 1 to 500 characters"),
        ("search_knowledge", {"query": "x" * 501}, "invalid_tool_arguments", "(501 characters)"),
        ("search_knowledge", ["what is mcp"], "invalid_tool_arguments",
         "The arguments of search_knowledge must be a JSON object, not list."),
        ("get_page", {"slug": "guides/intro"}, "invalid_tool_arguments",
         "'page' is required; 'slug' is not an argument of get_page (its arguments: page, language)"),
        ("get_page", {"page": None}, "invalid_tool_arguments", "'page' must be a string of 1 to 300 characters"),
        ("transfer_call", {"reason": "x" * 301}, "invalid_tool_arguments", "'reason' must be a string of at most 300"),
        ("transfer_call", "now", "invalid_tool_arguments", "must be a JSON object, not str"),
    ],
)
def test_bad_calls_are_refused_with_a_clear_error(name: Any, arguments: Any, code: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate(name, arguments)
    assert caught.value.code == code
    assert message in caught.value.message
    assert caught.value.to_dict() == {"error": caught.value.message, "code": code}


async def test_execute_checks_before_it_runs(demo: Demo) -> None:
    with pytest.raises(InvalidInput) as caught:
        await execute("search_knowledge", {"query": "hi", "limit": 5}, ctx(demo))
    assert caught.value.code == "invalid_tool_arguments"
    with pytest.raises(InvalidInput) as caught:
        await execute("search_knowledge", {"query": "hi", "language": "not a locale"}, ctx(demo))
    assert caught.value.code == "invalid_locale" and "BCP-47" in caught.value.message


def test_tools_are_data() -> None:
    assert len({t.name for t in TOOLS}) == len(TOOLS)
    for tool in TOOLS:
        assert re.fullmatch(r"[a-z_]+", tool.name)
