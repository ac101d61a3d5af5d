"""The marketplace's periodic task: flag providers whose qualification has expired (daily)."""

from __future__ import annotations

from django_tasks import task

from fuhua.core.context import acting_as
from fuhua.core.system import SYSTEM

from .services import flag_expired_qualifications


@task()
def flag_expired() -> int:
    """Set (or clear, after a renewal) every provider's `qualification_expired`; returns how many changed."""
    with acting_as(None, source="system"):
        return flag_expired_qualifications(SYSTEM)
