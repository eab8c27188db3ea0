"""Which redirect URIs an OAuth client may register and use, and which resources tokens may name.

Registration (SPEC §10): https anywhere, plain http only on a loopback host (RFC 8252 §7.3), plus the
private-use schemes the operator lists. Matching is exact, except that a loopback redirect may use any
port: native apps bind a free port per sign-in, so the port cannot be known at registration.
"""

from __future__ import annotations

from urllib.parse import SplitResult, urlsplit

from ..errors import InvalidInput

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


def _split(uri: str) -> SplitResult | None:
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return None
    return parts


def is_loopback_http(uri: str) -> bool:
    parts = _split(uri)
    return parts is not None and parts.scheme == "http" and (parts.hostname or "") in LOOPBACK_HOSTS


def check_redirect_uri(uri: str, extra_schemes: frozenset[str] = frozenset()) -> None:
    """Raise ``InvalidInput(code="invalid_redirect_uri")`` unless ``uri`` may be registered."""
    parts = _split(uri)
    problem: str | None = None
    if parts is None or not parts.scheme:
        problem = "is not an absolute URI"
    elif parts.fragment:
        problem = "has a fragment, which redirect URIs must not have"
    elif parts.scheme == "https":
        if not parts.hostname:
            problem = "has no host"
    elif parts.scheme == "http":
        if (parts.hostname or "") not in LOOPBACK_HOSTS:
            problem = "uses plain http on a host other than 127.0.0.1, [::1] or localhost; use https"
    elif parts.scheme.lower() not in extra_schemes:
        problem = f"uses the scheme {parts.scheme!r}; only https and loopback http are accepted"
    if problem:
        raise InvalidInput(f"Redirect URI {uri!r} {problem}.", code="invalid_redirect_uri")


def redirect_uri_matches(registered: list[str], requested: str) -> bool:
    if requested in registered:
        return True
    if not is_loopback_http(requested):
        return False
    asked = _split(requested)
    assert asked is not None
    for uri in registered:
        known = _split(uri)
        if known is not None and is_loopback_http(uri) and (
            known.hostname, known.path or "/", known.query) == (asked.hostname, asked.path or "/", asked.query):
            return True
    return False


def canonical_resource(uri: str) -> str:
    """RFC 8707 resource in one spelling: lower-case scheme and host, no fragment, no trailing slash."""
    parts = urlsplit(uri.strip())
    return parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower(), fragment="",
                          path=parts.path.rstrip("/")).geturl()


def server_resources(public_url: str) -> frozenset[str]:
    """The resource identifiers of this server: itself, its MCP endpoint and its REST API."""
    base = canonical_resource(public_url)
    return frozenset({base, base + "/mcp", base + "/api"})
