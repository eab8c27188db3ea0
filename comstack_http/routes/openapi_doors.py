"""The OpenAPI description of the routes that are not REST operations: OAuth 2.1 (discovery, registration,
authorization, tokens, revocation, the sign-in and consent pages), ``/mcp`` (JSON-RPC), the published sites
and the voice page. Written by hand, since their handlers are protocol endpoints and pages rather than
``RouteSpec``s; a test holds every route of the app to a path here or in the REST table.

The OAuth part is in ``openapi_oauth.py``, the shared building blocks in ``openapi_parts.py``.
"""

from __future__ import annotations

from typing import Any

from .openapi_oauth import oauth_paths
from .openapi_parts import ERROR_REF, NO_AUTH, html, json_answer, op, path_param, redirect


def _mcp_item(prefix: str, security: list[dict[str, list[str]]], what: str) -> dict[str, Any]:
    answer = {"$ref": "#/components/schemas/JsonRpcAnswer"}
    either = {"anyOf": [answer, ERROR_REF]}
    params = (
        [path_param("project_slug", "The project's slug (its site URL segment).")] if "{" in prefix else []
    )
    extra: dict[str, Any] = {"security": security, **({"parameters": params} if params else {})}
    refused = json_answer(
        ERROR_REF, "Stateless server: no event stream to open and no session to end (Allow: POST)."
    )
    responses = {
        "200": json_answer(answer, "The JSON-RPC response (tool errors are results with isError)."),
        "202": {"description": "A notification or a response: accepted, no body."},
        "400": json_answer(either, "Not one JSON-RPC message (a JSON-RPC error), or a wrong Content-Type."),
        "403": json_answer(ERROR_REF, "An Origin that may not call this endpoint."),
        "404": json_answer(ERROR_REF, "No published site at this address."),
        "406": json_answer(either, "Accept must allow application/json."),
        "421": json_answer(ERROR_REF, "A Host that is not this server (DNS-rebinding protection)."),
    }
    if security:
        responses["401"] = json_answer(
            ERROR_REF, "Authentication required (WWW-Authenticate names the metadata)."
        )
        del responses["404"]
    name = prefix.strip("/").replace("/", "_").replace("{", "").replace("}", "").replace("-", "_") or "root"
    return {
        "post": op(
            name,
            f"{what} (Streamable HTTP, stateless, JSON answers): one JSON-RPC message per request",
            responses,
            **extra,
            requestBody={
                "required": True,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/JsonRpcMessage"}}},
            },
        ),
        "get": op(f"{name}_stream", "Not served: answered 405", {"405": refused}, **extra),
        "delete": op(f"{name}_end_session", "Not served: answered 405", {"405": refused}, **extra),
    }


def _mcp_paths() -> dict[str, Any]:
    security: list[dict[str, list[str]]] = [{"apiKey": [], "projectId": []}, {"oauth2": []}]
    return {"/mcp": _mcp_item("/mcp", security, "The MCP endpoint")}


def _reader_paths() -> dict[str, Any]:
    site = "The published site's public, read-only MCP server"
    paths: dict[str, Any] = {
        "/sites/{project_slug}/mcp": _mcp_item("/sites/{project_slug}/mcp", NO_AUTH, site),
        "/sites/{project_slug}/mcp/": _mcp_item("/sites/{project_slug}/mcp/slash", NO_AUTH, site),
    }
    for path, what in (
        (".well-known/mcp", "discovery"),
        (".well-known/mcp.json", "discovery_json"),
        (".well-known/mcp/server-card.json", "server_card"),
    ):
        paths[f"/sites/{{project_slug}}/{path}"] = {
            "get": op(
                f"site_mcp_{what}",
                f"The site's MCP {what.replace('_', ' ')} document",
                {
                    "200": json_answer({"type": "object"}, "The document."),
                    "404": json_answer(ERROR_REF, "No published site at this address."),
                },
                parameters=[path_param("project_slug", "The project's slug (its site URL segment).")],
            ),
        }
    return paths


def _site_paths() -> dict[str, Any]:
    slug = path_param("project_slug", "The project's slug (its site URL segment).")
    found = {
        "description": "The file: HTML pages, CSS, images, sitemap.xml, llms.txt, search index.",
        "content": {"*/*": {"schema": {"type": "string"}}},
    }
    missing = json_answer(ERROR_REF, "No published site, or no such file in it.")
    return {
        "/sites/{project_slug}": {
            "get": op(
                "site_root",
                "A published site's root: redirects to the path with a slash",
                {"308": redirect("To /sites/{project_slug}/ (a relative location)."), "404": missing},
                parameters=[slug],
            ),
        },
        "/sites/{project_slug}/{path}": {
            "get": op(
                "site_file",
                "A file of a published site (sandboxed by CSP; the same origin as the API)",
                {"200": found, "308": redirect("A folder without its slash."), "404": missing},
                parameters=[slug, path_param("path", "The file's path in the site, e.g. 'guides/intro/'.")],
            ),
        },
        "/live/{project_slug}": {
            "get": op(
                "voice_page",
                "The project's public voice page (while voice_web is on)",
                {"200": html("The page."), "404": html("No voice page for this slug.")},
                parameters=[slug],
            ),
        },
        "/live/assets/{name}": {
            "get": op(
                "voice_page_asset",
                "The voice page's script and style",
                {
                    "200": {"description": "The file.", "content": {"*/*": {"schema": {"type": "string"}}}},
                    "404": json_answer(ERROR_REF, "No such asset."),
                },
                parameters=[path_param("name", "The asset's file name.")],
            ),
        },
    }


def door_paths() -> dict[str, Any]:
    return {**oauth_paths(), **_mcp_paths(), **_reader_paths(), **_site_paths()}
