"""What the OAuth sections share: the scopes, lifetimes and audience (resources) this server accepts, and
how secrets are made and compared."""

from __future__ import annotations

import secrets
from datetime import timedelta

from ..auth import SCOPE_FULL, SCOPE_READ, hash_secret
from ..rules.redirects import canonical_resource, server_resources
from ..services.base import Service

SCOPES = (SCOPE_FULL, SCOPE_READ)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def same_secret(raw: str | None, digest: str | None) -> bool:
    return raw is not None and digest is not None and secrets.compare_digest(hash_secret(raw), digest)


class OAuthPart(Service):
    """A section of the authorization server, with the settings-derived rules every section uses."""

    def ttl(self, name: str) -> timedelta:
        return timedelta(seconds=int(getattr(self.ctx.settings, f"oauth_{name}_seconds")))

    @property
    def resources(self) -> frozenset[str]:
        return server_resources(self.ctx.settings.public_url)

    @property
    def extra_redirect_schemes(self) -> frozenset[str]:
        return frozenset(s.lower() for s in self.ctx.settings.oauth_extra_redirect_schemes)

    @property
    def default_resource(self) -> str:
        return canonical_resource(self.ctx.settings.public_url) + "/mcp"
