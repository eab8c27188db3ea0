"""Absolute URLs and hostnames people type into settings: what counts as a whole one."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

_HOSTNAME = re.compile(r"(?=.{3,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+")
LOCAL_NAMES = ("localhost", "localhost.localdomain")


def is_https_url(url: str) -> bool:
    """An https:// URL with a real host ('https://' alone, or 'https:///x', is not), and no spaces."""
    if any(c.isspace() for c in url):
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        return False
    return parts.scheme == "https" and bool(parts.hostname) and "." in (parts.hostname or "").strip(".")


def public_hostname_problem(hostname: str) -> str | None:
    """Why ``hostname`` (lower case, no trailing dot) cannot be a site's public domain, or None."""
    if not _HOSTNAME.fullmatch(hostname):
        return "is not a valid hostname"
    try:
        ipaddress.ip_address(hostname)
    except ValueError:
        pass
    else:
        return "is an IP address, not a domain name"
    if hostname in LOCAL_NAMES or hostname.endswith(".localhost"):
        return "names this machine (localhost), which no reader can reach"
    if hostname.rsplit(".", 1)[-1].isdigit():
        return "ends in a number, which no public domain does"
    return None
