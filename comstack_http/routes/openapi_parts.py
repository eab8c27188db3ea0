"""Building blocks of the hand-written OpenAPI description (``openapi_doors.py``, ``openapi_oauth.py``): the
error and protocol schemas and the helpers that write operations, parameters and answers."""

from __future__ import annotations

from typing import Any

ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}
OAUTH_ERROR = {"$ref": "#/components/schemas/OAuthError"}
HTML = {"text/html": {"schema": {"type": "string"}}}
NO_AUTH: list[dict[str, list[str]]] = []
TAG = "protocols"

SCHEMAS: dict[str, Any] = {
    "OAuthError": {
        "type": "object",
        "description": "RFC 6749 §5.2 error (rate limits answer the REST error body, which also has 'error').",
        "properties": {
            "error": {
                "type": "string",
                "description": "e.g. invalid_request, invalid_client, invalid_grant.",
            },
            "error_description": {"type": "string"},
        },
        "required": ["error"],
    },
    "OAuthToken": {
        "type": "object",
        "description": "RFC 6749 §5.1 access token answer; tokens are opaque.",
        "properties": {
            "access_token": {"type": "string"},
            "token_type": {"type": "string", "description": "Bearer."},
            "expires_in": {"type": "integer"},
            "refresh_token": {"type": "string"},
            "scope": {"type": "string"},
        },
        "required": ["access_token", "token_type"],
    },
    "OAuthClient": {
        "type": "object",
        "description": "RFC 7591 client information: the metadata as registered, with client_id.",
        "properties": {
            "client_id": {"type": "string"},
            "client_id_issued_at": {"type": "integer"},
            "redirect_uris": {"type": "array", "items": {"type": "string"}},
            "client_name": {"type": ["string", "null"]},
            "token_endpoint_auth_method": {"type": "string"},
            "grant_types": {"type": "array", "items": {"type": "string"}},
            "response_types": {"type": "array", "items": {"type": "string"}},
            "scope": {"type": ["string", "null"]},
        },
        "required": ["client_id", "redirect_uris"],
    },
    "JsonRpcMessage": {
        "type": "object",
        "description": "One JSON-RPC 2.0 message (MCP, protocol 2025-06-18): a request, a notification or a "
        "response to a request of this server. Batches are refused.",
        "properties": {
            "jsonrpc": {"const": "2.0"},
            "id": {"type": ["string", "integer"]},
            "method": {"type": "string", "description": "e.g. initialize, tools/list, tools/call."},
            "params": {"type": "object"},
        },
        "required": ["jsonrpc"],
    },
    "JsonRpcAnswer": {
        "type": "object",
        "description": "A JSON-RPC 2.0 response: 'result', or 'error' with a numeric code and a message.",
        "properties": {
            "jsonrpc": {"const": "2.0"},
            "id": {"type": ["string", "integer", "null"]},
            "result": {"type": "object"},
            "error": {
                "type": "object",
                "properties": {"code": {"type": "integer"}, "message": {"type": "string"}},
                "required": ["code", "message"],
            },
        },
        "required": ["jsonrpc"],
    },
}


def json_answer(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def html(description: str) -> dict[str, Any]:
    return {"description": description, "content": HTML}


def redirect(description: str) -> dict[str, Any]:
    return {"description": description, "headers": {"Location": {"schema": {"type": "string"}}}}


def op(operation_id: str, summary: str, responses: dict[str, Any], **extra: Any) -> dict[str, Any]:
    common = {"429": "TooManyRequests", "500": "InternalError"}
    if "requestBody" in extra:
        common["413"] = "PayloadTooLarge"
    return {
        "operationId": operation_id,
        "summary": summary,
        "tags": [TAG],
        "security": extra.pop("security", NO_AUTH),
        "responses": {
            **{status: {"$ref": f"#/components/responses/{name}"} for status, name in common.items()},
            **responses,
        },
        **extra,
    }


def form(properties: dict[str, str], required: list[str]) -> dict[str, Any]:
    schema = {
        "type": "object",
        "properties": {name: {"type": "string", "description": text} for name, text in properties.items()},
        "required": required,
    }
    return {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": schema}}}


def query_param(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "description": description,
    }


def path_param(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
        "description": description,
    }
