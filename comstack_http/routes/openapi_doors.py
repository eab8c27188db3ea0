"""The OpenAPI description of the routes that are not REST operations: OAuth 2.1 (discovery, registration,
authorization, tokens, revocation, the sign-in and consent pages), ``/mcp`` (JSON-RPC), the published sites
and the voice page. Written by hand, since their handlers are protocol endpoints and pages rather than
``RouteSpec``s; a test holds every route of the app to a path here or in the REST table.

The OAuth endpoints answer errors in RFC 6749's shape (``{"error": "invalid_grant", "error_description"}``),
which OAuth clients parse, not in the REST ``{"error", "code"}`` shape; both have a string ``error``.
"""

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
            "error": {"type": "string", "description": "e.g. invalid_request, invalid_client, invalid_grant."},
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


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _html(description: str) -> dict[str, Any]:
    return {"description": description, "content": HTML}


def _redirect(description: str) -> dict[str, Any]:
    return {"description": description, "headers": {"Location": {"schema": {"type": "string"}}}}


def _op(operation_id: str, summary: str, responses: dict[str, Any], **extra: Any) -> dict[str, Any]:
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


def _form(properties: dict[str, str], required: list[str]) -> dict[str, Any]:
    schema = {
        "type": "object",
        "properties": {name: {"type": "string", "description": text} for name, text in properties.items()},
        "required": required,
    }
    return {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": schema}}}


def _query(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": {"type": "string"}, "description": description}


def _path(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}, "description": description}


AUTHORIZE_QUERY = [
    _query("client_id", "The registered client's id."),
    _query("redirect_uri", "One of the client's registered redirect URIs."),
    _query("response_type", "code"),
    _query("code_challenge", "PKCE: BASE64URL(SHA-256(code_verifier))."),
    _query("code_challenge_method", "S256 (plain is refused)."),
    _query("state", "Opaque value returned with the code."),
    _query("scope", "'comstack' (full, default) and/or 'comstack:read'."),
    _query("resource", "RFC 8707: this server's /mcp URL."),
]
PAGE_QUERY = [_query("request", "The pending authorization request's id, from /oauth/authorize's redirect.")]
BAD_PAGE = _html("The authorization request is missing, unknown or expired, or the form is incomplete.")


def _oauth_paths() -> dict[str, Any]:
    authorize = {
        "302": _redirect("To the sign-in or consent page, or back to the client with an error (and 'iss')."),
        "400": _json(OAUTH_ERROR, "The client or redirect URI cannot be trusted: no redirect is made."),
    }
    page = {"200": _html("The page."), "303": _redirect("To the next step."), "400": BAD_PAGE}
    metadata = {"type": "object", "required": ["issuer", "authorization_endpoint", "token_endpoint"]}
    resource = {"type": "object", "required": ["resource", "authorization_servers"]}
    return {
        "/.well-known/oauth-authorization-server": {
            "get": _op("oauth_server_metadata", "OAuth 2.1 authorization server metadata (RFC 8414)",
                       {"200": _json(metadata, "The metadata.")})
        },
        "/.well-known/oauth-protected-resource": {
            "get": _op("oauth_resource_metadata", "Protected resource metadata (RFC 9728) of this server",
                       {"200": _json(resource, "The metadata.")})
        },
        "/.well-known/oauth-protected-resource/mcp": {
            "get": _op("oauth_mcp_resource_metadata", "Protected resource metadata (RFC 9728) of /mcp",
                       {"200": _json(resource, "The metadata.")})
        },
        "/oauth/authorize": {
            "get": _op("oauth_authorize", "Start an authorization (PKCE S256 required)", authorize,
                       parameters=AUTHORIZE_QUERY),
            "post": _op("oauth_authorize_form", "Start an authorization, parameters as a form", authorize,
                        requestBody=_form({p["name"]: p["description"] for p in AUTHORIZE_QUERY}, [])),
        },
        "/oauth/token": {
            "post": _op(
                "oauth_token",
                "Exchange an authorization code (with its code_verifier) or a refresh token (rotated)",
                {
                    "200": _json({"$ref": "#/components/schemas/OAuthToken"}, "The tokens."),
                    "400": _json(OAUTH_ERROR, "invalid_request, invalid_grant, unsupported_grant_type."),
                    "401": _json(OAUTH_ERROR, "invalid_client."),
                },
                requestBody=_form(
                    {
                        "grant_type": "authorization_code or refresh_token.",
                        "code": "The authorization code (authorization_code).",
                        "redirect_uri": "The redirect URI the code was issued for.",
                        "code_verifier": "PKCE verifier: 43-128 unreserved characters.",
                        "refresh_token": "The refresh token (refresh_token).",
                        "client_id": "The client's id.",
                        "resource": "RFC 8707: this server's /mcp URL.",
                    },
                    ["grant_type"],
                ),
            )
        },
        "/oauth/register": {
            "post": _op(
                "oauth_register",
                "Register a client (RFC 7591): at most 10 redirect URIs, a name of at most 100 characters",
                {
                    "201": _json({"$ref": "#/components/schemas/OAuthClient"}, "The registered client."),
                    "400": _json(OAUTH_ERROR, "invalid_client_metadata or invalid_redirect_uri."),
                },
                requestBody={
                    "required": True,
                    "content": {"application/json": {"schema": {
                        "type": "object",
                        "properties": {
                            "redirect_uris": {"type": "array", "items": {"type": "string"}},
                            "client_name": {"type": "string"},
                            "token_endpoint_auth_method": {"type": "string"},
                            "grant_types": {"type": "array", "items": {"type": "string"}},
                            "response_types": {"type": "array", "items": {"type": "string"}},
                            "scope": {"type": "string"},
                        },
                        "required": ["redirect_uris"],
                    }}},
                },
            )
        },
        "/oauth/revoke": {
            "post": _op(
                "oauth_revoke",
                "Revoke an access or refresh token (RFC 7009); unknown tokens are answered 200 too",
                {
                    "200": {"description": "Revoked, or there was nothing to revoke."},
                    "400": _json(OAUTH_ERROR, "invalid_request."),
                    "401": _json(OAUTH_ERROR, "invalid_client."),
                },
                requestBody=_form(
                    {"token": "The token.", "token_type_hint": "access_token or refresh_token.",
                     "client_id": "The client's id."},
                    ["token"],
                ),
            )
        },
        "/oauth/sign-in": {
            "get": _op("oauth_sign_in_page", "The sign-in page of a pending authorization", page,
                       parameters=PAGE_QUERY),
            "post": _op("oauth_sign_in", "Sign in (email and password) for a pending authorization", page,
                        requestBody=_form({"request": "The authorization request's id.", "email": "Email.",
                                           "password": "Password.", "csrf": "The form's token."}, [])),
        },
        "/oauth/consent": {
            "get": _op("oauth_consent_page", "The consent page of a pending authorization", page,
                       parameters=PAGE_QUERY),
            "post": _op("oauth_consent", "Allow or deny the client; redirects back to it", page,
                        requestBody=_form({"request": "The authorization request's id.",
                                           "decision": "allow or deny.", "csrf": "The form's token."}, [])),
        },
        "/oauth/upstream": {
            "post": _op("oauth_upstream_start", "Sign in through the configured OpenID Connect provider",
                        {"303": _redirect("To the provider."), "400": BAD_PAGE},
                        requestBody=_form({"request": "The authorization request's id.",
                                           "csrf": "The form's token."}, [])),
        },
        "/oauth/upstream/callback": {
            "get": _op("oauth_upstream_callback", "Where the OpenID Connect provider sends the person back",
                       {"303": _redirect("To the consent page."), "400": BAD_PAGE},
                       parameters=[_query("code", "The provider's code."), _query("state", "Our state.")]),
        },
    }


def _mcp_item(prefix: str, security: list[dict[str, list[str]]], what: str) -> dict[str, Any]:
    answer = {"$ref": "#/components/schemas/JsonRpcAnswer"}
    either = {"anyOf": [answer, ERROR_REF]}
    params = [_path("project_slug", "The project's slug (its site URL segment).")] if "{" in prefix else []
    extra: dict[str, Any] = {"security": security, **({"parameters": params} if params else {})}
    refused = _json(ERROR_REF, "Stateless server: no event stream to open and no session to end (Allow: POST).")
    responses = {
        "200": _json(answer, "The JSON-RPC response (tool errors are results with isError)."),
        "202": {"description": "A notification or a response: accepted, no body."},
        "400": _json(either, "Not one JSON-RPC message (a JSON-RPC error), or a wrong Content-Type."),
        "403": _json(ERROR_REF, "An Origin that may not call this endpoint."),
        "404": _json(ERROR_REF, "No published site at this address."),
        "406": _json(either, "Accept must allow application/json."),
        "421": _json(ERROR_REF, "A Host that is not this server (DNS-rebinding protection)."),
    }
    if security:
        responses["401"] = _json(ERROR_REF, "Authentication required (WWW-Authenticate names the metadata).")
        del responses["404"]
    name = prefix.strip("/").replace("/", "_").replace("{", "").replace("}", "").replace("-", "_") or "root"
    return {
        "post": _op(
            name, f"{what} (Streamable HTTP, stateless, JSON answers): one JSON-RPC message per request",
            responses, **extra,
            requestBody={
                "required": True,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/JsonRpcMessage"}}},
            },
        ),
        "get": _op(f"{name}_stream", "Not served: answered 405", {"405": refused}, **extra),
        "delete": _op(f"{name}_end_session", "Not served: answered 405", {"405": refused}, **extra),
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
        (".well-known/mcp", "discovery"), (".well-known/mcp.json", "discovery_json"),
        (".well-known/mcp/server-card.json", "server_card"),
    ):
        paths[f"/sites/{{project_slug}}/{path}"] = {
            "get": _op(f"site_mcp_{what}", f"The site's MCP {what.replace('_', ' ')} document",
                       {"200": _json({"type": "object"}, "The document."),
                        "404": _json(ERROR_REF, "No published site at this address.")},
                       parameters=[_path("project_slug", "The project's slug (its site URL segment).")]),
        }
    return paths


def _site_paths() -> dict[str, Any]:
    slug = _path("project_slug", "The project's slug (its site URL segment).")
    found = {"description": "The file: HTML pages, CSS, images, sitemap.xml, llms.txt, search index.",
             "content": {"*/*": {"schema": {"type": "string"}}}}
    missing = _json(ERROR_REF, "No published site, or no such file in it.")
    return {
        "/sites/{project_slug}": {
            "get": _op("site_root", "A published site's root: redirects to the path with a slash",
                       {"308": _redirect("To /sites/{project_slug}/ (a relative location)."), "404": missing},
                       parameters=[slug]),
        },
        "/sites/{project_slug}/{path}": {
            "get": _op("site_file", "A file of a published site (sandboxed by CSP; the same origin as the API)",
                       {"200": found, "308": _redirect("A folder without its slash."), "404": missing},
                       parameters=[slug, _path("path", "The file's path in the site, e.g. 'guides/intro/'.")]),
        },
        "/live/{project_slug}": {
            "get": _op("voice_page", "The project's public voice page (while voice_web is on)",
                       {"200": _html("The page."), "404": _html("No voice page for this slug.")},
                       parameters=[slug]),
        },
        "/live/assets/{name}": {
            "get": _op("voice_page_asset", "The voice page's script and style",
                       {"200": {"description": "The file.", "content": {"*/*": {"schema": {"type": "string"}}}},
                        "404": _json(ERROR_REF, "No such asset.")},
                       parameters=[_path("name", "The asset's file name.")]),
        },
    }


def door_paths() -> dict[str, Any]:
    return {**_oauth_paths(), **_mcp_paths(), **_reader_paths(), **_site_paths()}
