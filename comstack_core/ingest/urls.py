"""The captured page's URL: what is accepted, and the normalized form captures are deduplicated by.

Normalization rule (two URLs are the same capture when their normalized forms are equal):

1. Only ``http`` and ``https`` URLs with a host; anything else is refused (``invalid_url``).
2. Scheme and host are lowercased; a trailing dot on the host is dropped; user name and password
   are dropped (they are never stored).
3. The default port is dropped (``:80`` for http, ``:443`` for https); other ports stay.
4. The fragment (``#...``) is dropped: it names a place in the page, not another page.
5. Tracking parameters are dropped from the query: every ``utm_*`` name and the click or campaign
   ids in ``TRACKING_PARAMS`` (``gclid``, ``fbclid``, ``mc_cid``, ...). The other parameters are
   kept, sorted by name (the order of repeated names is kept); an empty query leaves no ``?``.
6. The path: ``.`` and ``..`` segments are resolved, repeated ``/`` collapse, percent-escapes are uppercased and unreserved
   characters (letters, digits, ``-._~``) are decoded, an empty path becomes ``/``, and a trailing
   ``/`` is dropped (``/docs/`` and ``/docs`` are one page). The path's case is kept: servers may
   tell ``/Guide`` from ``/guide``.
7. The scheme is kept: ``http://`` and ``https://`` stay different captures (a site may serve
   different pages on each).
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from ..errors import InvalidInput

MAX_URL_LENGTH = 2048
TRACKING_PARAMS = frozenset(
    {
        "gclid", "gclsrc", "gbraid", "wbraid", "dclid", "fbclid", "msclkid", "yclid", "twclid", "ttclid",
        "li_fat_id", "igshid", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "hsctatracking",
        "mkt_tok", "vero_id", "vero_conv", "oly_anon_id", "oly_enc_id", "rb_clickid", "s_cid", "ref_src",
        "ref_url", "wickedid", "srsltid",
    }
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")
_UNRESERVED = re.compile(r"[A-Za-z0-9\-._~]")


def check_page_url(url: object) -> str:
    """The URL as sent (trimmed), or ``InvalidInput`` when it is not an http(s) URL with a host."""
    if not isinstance(url, str) or not url.strip():
        raise InvalidInput("url is required: the address of the captured page (http or https).", code="invalid_url")
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise InvalidInput(f"url is longer than {MAX_URL_LENGTH} characters.", code="invalid_url")
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise InvalidInput("url contains spaces or control characters; send it percent-encoded.", code="invalid_url")
    parts = urlsplit(url)
    if parts.scheme.lower() not in _DEFAULT_PORTS:
        raise InvalidInput(
            f"Only http and https pages can be ingested; {url[:80]!r} is a {parts.scheme or 'relative'} URL.",
            code="invalid_url",
        )
    try:
        port = parts.port
    except ValueError:
        raise InvalidInput(f"url {url[:80]!r} has an invalid port.", code="invalid_url") from None
    if not parts.hostname or port == 0:
        raise InvalidInput(f"url {url[:80]!r} has no host.", code="invalid_url")
    return url


def normalize_url(url: str) -> str:
    """The form captures are deduplicated by (the rule is in this module's docstring)."""
    parts = urlsplit(check_page_url(url))
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".").lower()
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    port = parts.port
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, _normalize_path(parts.path), _normalize_query(parts.query), ""))


def without_credentials(url: str) -> str:
    """The URL to store and show: as sent, minus any user name and password."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _normalize_escape(match: re.Match[str]) -> str:
    char = unquote(match.group(0))
    return char if _UNRESERVED.fullmatch(char) else match.group(0).upper()


def _normalize_path(path: str) -> str:
    path = _ESCAPE.sub(_normalize_escape, path)
    # Characters a browser would have escaped (spaces are refused earlier; this catches the rest).
    path = quote(path, safe="/%:@!$&'()*+,;=-._~")
    if not path:
        return "/"
    resolved = posixpath.normpath(path)
    if resolved.startswith("//"):  # normpath keeps a leading '//' (POSIX); a URL path does not need it
        resolved = "/" + resolved.lstrip("/")
    return "/" if resolved in ("/", ".") else resolved.rstrip("/")


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith("utm_") or lowered in TRACKING_PARAMS


def _normalize_query(query: str) -> str:
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if not _is_tracking(k)]
    pairs.sort(key=lambda pair: pair[0])  # stable: repeated names keep their order
    return urlencode(pairs, quote_via=quote)
