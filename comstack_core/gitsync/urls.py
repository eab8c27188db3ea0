"""Which repository URLs may be fetched.

`https://` only. Local paths and `file://` URLs are for operators (tests, a mirror on the same
machine) and need `allow_local`. `http://` (no transport security: a token would travel in clear
text), `ssh://`, `git://` and scp-like `user@host:path` are refused with the reason. Credentials in
the URL are refused too: the token has its own field, stored as a secret and never shown.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from .errors import GitFetchFailed, GitUrlRefused

_SCP_LIKE = re.compile(r"^[\w.-]+@[\w.-]+:")
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


@dataclass(frozen=True)
class RepoLocation:
    kind: Literal["https", "local"]
    url: str  # the https URL, or the local path as given
    host: str | None = None
    path: Path | None = None  # local repositories


def check_url(url: str, *, allow_local: bool = False) -> RepoLocation:
    """Validate a repository URL (no network); raise GitUrlRefused with a reason a person can act on."""
    if not isinstance(url, str) or not url.strip():
        raise GitUrlRefused("The repository URL is empty; use https://host/owner/repo.git.")
    url = url.strip()
    if any(ord(c) < 32 for c in url) or " " in url:
        raise GitUrlRefused("The repository URL has spaces or control characters.")
    if _WINDOWS_DRIVE.match(url):
        return _local(Path(url), url, allow_local)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "https":
        if parts.username is not None or parts.password is not None:
            raise GitUrlRefused(
                "The repository URL holds a user name or password; remove it and pass the access token in its "
                "own field, where it is kept secret.",
            )
        if not parts.hostname:
            raise GitUrlRefused("The repository URL has no host name; use https://host/owner/repo.git.")
        if parts.fragment or parts.query:
            raise GitUrlRefused("The repository URL must not have a query or a fragment.")
        try:
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError:
            raise GitUrlRefused("The repository URL has an invalid port.") from None
        return RepoLocation("https", url, host=parts.hostname)
    if scheme == "http":
        raise GitUrlRefused(
            "http:// repository URLs are refused: the access token and the content would travel unencrypted. "
            "Use the https:// URL of the repository.",
        )
    if scheme in ("ssh", "git+ssh", "ssh+git") or (not scheme and _SCP_LIKE.match(url)):
        raise GitUrlRefused(
            "SSH repository URLs are not supported; use the https:// URL of the repository and an access token.",
        )
    if scheme == "git":
        raise GitUrlRefused(
            "git:// URLs are refused (unauthenticated and unencrypted); use the https:// URL of the repository.",
        )
    if scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise GitUrlRefused("file:// URLs must name a path on this machine (file:///path/to/repo).")
        return _local(Path(unquote(parts.path)), url, allow_local)
    if not scheme:
        return _local(Path(url), url, allow_local)
    raise GitUrlRefused(f"{scheme}:// repository URLs are not supported; use https://.")


def _local(path: Path, url: str, allow_local: bool) -> RepoLocation:
    if not allow_local:
        raise GitUrlRefused(
            "Local repositories (paths and file:// URLs) are refused unless the server's operator allows them "
            "(COMSTACK_GIT_ALLOW_LOCAL=true); use the https:// URL of the repository.",
            code="git_local_refused",
        )
    if not path.is_absolute():
        raise GitUrlRefused("A local repository must be given by its absolute path.")
    return RepoLocation("local", url, path=path)


def check_host(host: str, *, allow_private: bool) -> None:
    """Refuse hosts that resolve to loopback, private, link-local or otherwise internal addresses, so that
    a repository URL cannot make the server probe its own network (unless the operator allows it)."""
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(host, 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        raise GitFetchFailed(f"The host {host!r} cannot be resolved.", code="git_unreachable") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise GitUrlRefused(
                f"The host {host!r} is an internal address ({address}); repositories must be on a public host "
                "unless the server's operator allows private hosts (COMSTACK_GIT_ALLOW_PRIVATE_HOSTS=true).",
                code="git_private_host",
            )
