"""What the whole installation shares across its processes: the public URL the site's absolute URLs
(canonical links, sitemap, robots.txt, llms.txt) are built from.

The server knows its public URL (``--public-url``, ``COMSTACK_PUBLIC_URL``, or the host and port it
listens on) and records it when it starts. Another process (``comstack publish``) that was not told one
uses the recorded URL, so which process ran a publish never changes the site's URLs."""

from __future__ import annotations

import logging

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError

from ..errors import InvalidInput
from ..models import InstallationSetting
from .base import Context, Service

PUBLIC_URL = "public_url"
log = logging.getLogger(__name__)


def configured(ctx: Context) -> str | None:
    """The public URL this process was given explicitly (flag, variable or argument), if any."""
    return ctx.settings.public_url if "public_url" in ctx.settings.model_fields_set else None


async def recorded(ctx: Context) -> str | None:
    async with ctx.db.read() as session:
        row = await session.get(InstallationSetting, PUBLIC_URL)
        return row.value if row is not None else None


async def public_url(ctx: Context, *, required: bool = False) -> str:
    """The URL the site is built for: this process's own if it was given one, else the one the server
    recorded, else (``required`` off) the default."""
    url = configured(ctx) or await recorded(ctx)
    if url is not None:
        return url
    if required:
        raise InvalidInput(
            "No public URL is known for this installation, so the site's canonical links, sitemap, robots.txt "
            "and llms.txt cannot be written. Start the server once (comstack serve records the URL it serves "
            "at), or give it here: --public-url https://docs.example.com or COMSTACK_PUBLIC_URL.",
            code="public_url_unknown",
        )
    return ctx.settings.public_url


class InstallationService(Service):
    async def record_public_url(self) -> None:
        """Record this process's public URL for the others (a server calls this when it starts). A process
        that was not told one records nothing, so it never overwrites the server's."""
        url = configured(self.ctx)
        if url is None:
            return
        values = {"key": PUBLIC_URL, "value": url, "updated_at": self.now()}
        insert = sqlite_insert if self.db.is_sqlite else pg_insert
        statement = insert(InstallationSetting).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=["key"], set_={"value": url, "updated_at": values["updated_at"]}
        )
        try:
            async with self.db.write() as session:
                await session.exec(statement)
        except (OSError, DBAPIError) as error:
            # A server whose database is down at start still starts, so /readyz can say so; the URL is
            # recorded on its next start, and a command-line publish meanwhile uses the one recorded before.
            log.warning("could not record the public URL %s: %s", url, error)

    async def public_url(self, *, required: bool = False) -> str:
        return await public_url(self.ctx, required=required)
