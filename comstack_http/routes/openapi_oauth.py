"""The OpenAPI description of the OAuth 2.1 endpoints: discovery, registration, authorization, tokens,
revocation, the sign-in and consent pages.

They answer errors in RFC 6749's shape (``{"error": "invalid_grant", "error_description"}``), which OAuth
clients parse, not in the REST ``{"error", "code"}`` shape; both have a string ``error``.
"""

from __future__ import annotations

from typing import Any

from .openapi_parts import OAUTH_ERROR, form, html, json_answer, op, query_param, redirect

AUTHORIZE_QUERY = [
    query_param("client_id", "The registered client's id."),
    query_param("redirect_uri", "One of the client's registered redirect URIs."),
    query_param("response_type", "code"),
    query_param("code_challenge", "PKCE: BASE64URL(SHA-256(code_verifier))."),
    query_param("code_challenge_method", "S256 (plain is refused)."),
    query_param("state", "Opaque value returned with the code."),
    query_param("scope", "'comstack' (full, default) and/or 'comstack:read'."),
    query_param("resource", "RFC 8707: this server's /mcp URL."),
]
PAGE_QUERY = [
    query_param("request", "The pending authorization request's id, from /oauth/authorize's redirect.")
]
BAD_PAGE = html("The authorization request is missing, unknown or expired, or the form is incomplete.")


def oauth_paths() -> dict[str, Any]:
    authorize = {
        "302": redirect("To the sign-in or consent page, or back to the client with an error (and 'iss')."),
        "400": json_answer(OAUTH_ERROR, "The client or redirect URI cannot be trusted: no redirect is made."),
    }
    page = {"200": html("The page."), "303": redirect("To the next step."), "400": BAD_PAGE}
    metadata = {"type": "object", "required": ["issuer", "authorization_endpoint", "token_endpoint"]}
    resource = {"type": "object", "required": ["resource", "authorization_servers"]}
    return {
        "/.well-known/oauth-authorization-server": {
            "get": op(
                "oauth_server_metadata",
                "OAuth 2.1 authorization server metadata (RFC 8414)",
                {"200": json_answer(metadata, "The metadata.")},
            )
        },
        "/.well-known/oauth-protected-resource": {
            "get": op(
                "oauth_resource_metadata",
                "Protected resource metadata (RFC 9728) of this server",
                {"200": json_answer(resource, "The metadata.")},
            )
        },
        "/.well-known/oauth-protected-resource/mcp": {
            "get": op(
                "oauth_mcp_resource_metadata",
                "Protected resource metadata (RFC 9728) of /mcp",
                {"200": json_answer(resource, "The metadata.")},
            )
        },
        "/oauth/authorize": {
            "get": op(
                "oauth_authorize",
                "Start an authorization (PKCE S256 required)",
                authorize,
                parameters=AUTHORIZE_QUERY,
            ),
            "post": op(
                "oauth_authorize_form",
                "Start an authorization, parameters as a form",
                authorize,
                requestBody=form({p["name"]: p["description"] for p in AUTHORIZE_QUERY}, []),
            ),
        },
        "/oauth/token": {
            "post": op(
                "oauth_token",
                "Exchange an authorization code (with its code_verifier) or a refresh token (rotated)",
                {
                    "200": json_answer({"$ref": "#/components/schemas/OAuthToken"}, "The tokens."),
                    "400": json_answer(
                        OAUTH_ERROR, "invalid_request, invalid_grant, unsupported_grant_type."
                    ),
                    "401": json_answer(OAUTH_ERROR, "invalid_client."),
                },
                requestBody=form(
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
            "post": op(
                "oauth_register",
                "Register a client (RFC 7591): at most 10 redirect URIs, a name of at most 100 characters",
                {
                    "201": json_answer(
                        {"$ref": "#/components/schemas/OAuthClient"}, "The registered client."
                    ),
                    "400": json_answer(OAUTH_ERROR, "invalid_client_metadata or invalid_redirect_uri."),
                },
                requestBody={
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
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
                            }
                        }
                    },
                },
            )
        },
        "/oauth/revoke": {
            "post": op(
                "oauth_revoke",
                "Revoke an access or refresh token (RFC 7009); unknown tokens are answered 200 too",
                {
                    "200": {"description": "Revoked, or there was nothing to revoke."},
                    "400": json_answer(OAUTH_ERROR, "invalid_request."),
                    "401": json_answer(OAUTH_ERROR, "invalid_client."),
                },
                requestBody=form(
                    {
                        "token": "The token.",
                        "token_type_hint": "access_token or refresh_token.",
                        "client_id": "The client's id.",
                    },
                    ["token"],
                ),
            )
        },
        "/oauth/sign-in": {
            "get": op(
                "oauth_sign_in_page",
                "The sign-in page of a pending authorization",
                page,
                parameters=PAGE_QUERY,
            ),
            "post": op(
                "oauth_sign_in",
                "Sign in (email and password) for a pending authorization",
                page,
                requestBody=form(
                    {
                        "request": "The authorization request's id.",
                        "email": "Email.",
                        "password": "Password.",
                        "csrf": "The form's token.",
                    },
                    [],
                ),
            ),
        },
        "/oauth/consent": {
            "get": op(
                "oauth_consent_page",
                "The consent page of a pending authorization",
                page,
                parameters=PAGE_QUERY,
            ),
            "post": op(
                "oauth_consent",
                "Allow or deny the client; redirects back to it",
                page,
                requestBody=form(
                    {
                        "request": "The authorization request's id.",
                        "decision": "allow or deny.",
                        "csrf": "The form's token.",
                    },
                    [],
                ),
            ),
        },
        "/oauth/upstream": {
            "post": op(
                "oauth_upstream_start",
                "Sign in through the configured OpenID Connect provider",
                {"303": redirect("To the provider."), "400": BAD_PAGE},
                requestBody=form(
                    {"request": "The authorization request's id.", "csrf": "The form's token."}, []
                ),
            ),
        },
        "/oauth/upstream/callback": {
            "get": op(
                "oauth_upstream_callback",
                "Where the OpenID Connect provider sends the person back",
                {"303": redirect("To the consent page."), "400": BAD_PAGE},
                parameters=[query_param("code", "The provider's code."), query_param("state", "Our state.")],
            ),
        },
    }
