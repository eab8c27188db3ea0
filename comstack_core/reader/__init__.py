"""The reader's side of a published site: search and read what the live deployment serves.

Everything here reads the files of the deployment readers are served (``current``): the search index,
the Markdown copies, the sitemap and ``llms.txt``; never the database's pages. So drafts, internal pages
and other projects cannot leak, and answers switch exactly when a publish or revert switches the site.
"""

from .build import Doc, LiveBuild
from .service import ReaderService, ReaderSite

__all__ = ["Doc", "LiveBuild", "ReaderService", "ReaderSite"]
