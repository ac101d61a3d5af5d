"""Background tasks of the desk (enqueued daily by the scheduler: core.schedule, `fuhua worker`)."""

from django_tasks import task

from .services import escalate_overdue


@task()
def flag_overdue() -> dict:
    """Route requests still new, flag overdue requests to their steward and the bureau, close unrated ones."""
    result = escalate_overdue()
    return {"flagged": result.flagged, "routed": result.routed, "closed": result.closed}
