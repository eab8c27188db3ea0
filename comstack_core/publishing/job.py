"""A publish job as its runner records it: the progress value publish-status shows, ownership of the job by
one runner at a time, and the two ways a job stops early."""

from __future__ import annotations

from typing import Any

from ..models import Publish
from ..schemas import ProgressStage, PublishProgress


class JobFailed(Exception):
    """A step refused to go on; the message is shown in publish-status."""


class LostClaim(Exception):
    """Another runner took this job over (ours looked dead to it): stop without touching the job."""


def progress(step: ProgressStage, done: int = 0, total: int = 0) -> dict[str, Any]:
    """The stored form of ``PublishProgress`` (the job row keeps it as JSON)."""
    return PublishProgress(step=step, done=done, total=total).model_dump(mode="json")


def check_owner(publish: Publish, runner: str) -> None:
    """Go on only while ``runner`` still owns the running job."""
    if publish.claimed_by != runner or publish.status != "running":
        raise LostClaim(publish.id)
