"""Error codes of live voice: voice tools and realtime providers."""

from __future__ import annotations

from .entry import ErrorInfo as _E

CODES: dict[str, _E] = {
    "unknown_tool": _E("The voice tool named does not exist.",
                       "Call one of the tools the session declared (search_knowledge, get_page, transfer_call)."),
    "invalid_tool_arguments": _E("The voice tool's arguments are missing, extra or of the wrong type.",
                                 "Send the arguments the tool's declaration lists."),
    "unknown_voice_provider": _E("The configured realtime voice provider is not known.",
                                 "Set the voice provider to 'embedded' or to a provider the server has."),
}
