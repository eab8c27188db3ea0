"""Which redirect URIs an OAuth client may register and use, and which resources tokens may name.

Registration (SPEC §10): https anywhere, plain http only on a loopback host (RFC 8252 §7.3), plus the
private-use schemes the operator lists; never a user part (``https://claude.ai@evil.test/cb`` goes to
evil.test, whatever a person reading it believes), never longer than ``MAX_REDIRECT_URI_LENGTH``. Matching is exact, except that a loopback redirect may use any
port: native apps bind a free port per sign-in, so the port cannot be known at registration.
"""

from __future__ import annotations

from urllib.parse import SplitResult, urlsplit

from ..errors import InvalidInput

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
MAX_REDIRECT_URI_LENGTH = 2000


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
    if len(uri) > MAX_REDIRECT_URI_LENGTH:
        raise InvalidInput(
            f"A redirect URI may have at most {MAX_REDIRECT_URI_LENGTH} characters; one has {len(uri)}.",
            code="invalid_redirect_uri",
        )
    parts = _split(uri)
    problem: str | None = None
    if parts is None or not parts.scheme:
        problem = "is not an absolute URI"
    elif "@" in parts.netloc:
        problem = "has a user part (before '@'); name the host alone"
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


def display_host(uri: str) -> str:
    """The host a redirect really goes to, with its port: what a consent page may show a person."""
    parts = _split(uri)
    if parts is None or not parts.hostname:
        return f"{parts.scheme}:" if parts is not None and parts.scheme else uri
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{host}:{parts.port}" if parts.port is not None else host


def redirect_uri_matches(registered: list[str], requested: str) -> bool:
    asked = _split(requested)
    if asked is None or "@" in asked.netloc:
        return False  # a client registered before user parts were refused must not use one either
    if requested in registered:
        return True
    if not is_loopback_http(requested):
        return False
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
