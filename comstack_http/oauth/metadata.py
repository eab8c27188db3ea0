"""Discovery documents: RFC 8414 authorization-server metadata and RFC 9728 protected-resource metadata.

The issuer is the server's public URL with no path, so an MCP client that starts from ``<public>/mcp``
finds everything: the 401 from /mcp names ``/.well-known/oauth-protected-resource/mcp``, which names
the issuer, whose metadata is at ``/.well-known/oauth-authorization-server``.
"""

from __future__ import annotations

from mcp.shared.auth import OAuthMetadata, ProtectedResourceMetadata

from comstack_core.oauth.base import SCOPES


def issuer(public_url: str) -> str:
    """The issuer exactly as the metadata renders it: clients compare it as a plain string (RFC 9207)."""
    return str(server_metadata(public_url).issuer)


def server_metadata(public_url: str) -> OAuthMetadata:
    base = public_url.rstrip("/")
    return OAuthMetadata.model_validate({
        "issuer": base,
        "authorization_endpoint": f"{base}/oauth/authorize",
        "token_endpoint": f"{base}/oauth/token",
        "registration_endpoint": f"{base}/oauth/register",
        "revocation_endpoint": f"{base}/oauth/revoke",
        "scopes_supported": list(SCOPES),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        # Public clients only: PKCE stands in for a client secret.
        "token_endpoint_auth_methods_supported": ["none"],
        "revocation_endpoint_auth_methods_supported": ["none"],
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": True,
    })


def resource_metadata(public_url: str, path: str = "") -> ProtectedResourceMetadata:
    base = public_url.rstrip("/")
    return ProtectedResourceMetadata.model_validate({
        "resource": base + path,
        "authorization_servers": [base],
        "scopes_supported": list(SCOPES),
        "bearer_methods_supported": ["header"],
        "resource_name": "ComStack",
    })
